"""Who may analyse what people wrote. The analyses a person sees are
`Analysis.objects.visible_to` (écoute's managers of the consultation, or those a registered
source names for its subject: others get 404); these
rules decide the actions. Seeing the original of a text whose personal data is masked is the
lab's, and only in the coding view."""

import rules

from caflab.accounts.permissions import is_lab_staff
from ecoute.permissions import can_manage_consultation


@rules.predicate
def manages_analysis_consultation(user, analysis) -> bool:
    """Manages the analysis' consultation, or may analyse the subject of the source it comes
    from (`analysis.sources`: the app that registered the source decides)."""
    if not analysis:
        return False
    if analysis.consultation_id:
        return can_manage_consultation.test(user, analysis.consultation)
    source = analysis.registered_source
    subject = analysis.subject
    return bool(source and subject is not None and source.may_analyse(user, subject))


can_analyse_consultation = can_manage_consultation
can_manage_analysis = manages_analysis_consultation
can_see_unmasked_text = is_lab_staff & manages_analysis_consultation
# The shared library of codebooks is the lab's: it publishes; every manager copies from it.
can_publish_codebook = is_lab_staff & manages_analysis_consultation

rules.add_perm("analysis.analyse_consultation", can_analyse_consultation)
rules.add_perm("analysis.manage_analysis", can_manage_analysis)
rules.add_perm("analysis.see_unmasked_text", can_see_unmasked_text)
rules.add_perm("analysis.publish_codebook", can_publish_codebook)

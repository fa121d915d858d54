"""Importing the network's people from a file: formats, report, idempotence, --full, refusals."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from caflab.accounts.importing import (
    ImportFileError,
    Outcome,
    people_import_file,
    read_people_file,
)
from caflab.accounts.models import AccountChange, Role, User
from caflab.network.models import CafSiret, Directorate, Partner
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = "e-mail;prénom;nom;rôle;Caf;direction;organisation partenaire"
LINES = [
    "camille.martin@caf38.example;Camille;Martin;Agent de Caf;38;;",
    "lucas.bernard@caf69.example;Lucas;Bernard;correspondent;69;;",
    "ines.petit@caf2a.example;Inès;Petit;agent;2A;;",
]


def csv_bytes(*lines: str, header: str = HEADER, sep: str = ";", encoding: str = "utf-8") -> bytes:
    text = "\n".join([header, *lines]).replace(";", sep) + "\n"
    return text.encode(encoding)


def run(data: bytes, filename: str = "agents.csv", **options):
    options.setdefault("by", None)
    return people_import_file(data=data, filename=filename, **options)


def test_a_utf8_csv_with_semicolons_creates_the_accounts_with_their_caf(caf_a, caf_b):
    report = run(csv_bytes(*LINES))
    assert report.counts == {"created": 3, "updated": 0, "unchanged": 0, "refused": 0}
    camille = User.objects.get(email="camille.martin@caf38.example")
    assert (camille.first_name, camille.role, camille.caf) == ("Camille", Role.AGENT, caf_a)
    assert User.objects.get(email="lucas.bernard@caf69.example").role == Role.CORRESPONDENT
    assert User.objects.get(email="ines.petit@caf2a.example").caf.code == "2A"


def test_imported_accounts_have_no_usable_password_and_a_created_history_row():
    run(csv_bytes(*LINES))
    camille = User.objects.get(email="camille.martin@caf38.example")
    assert not camille.has_usable_password()
    change = AccountChange.objects.get(user=camille)
    assert (change.kind, change.source) == (AccountChange.Kind.CREATED, AccountChange.Source.IMPORT)
    assert change.changes["caf"] == [None, str(camille.caf)]
    assert change.changes["role"] == [None, "Agent de Caf"]
    assert "agents.csv" in change.reason


def test_a_windows_1252_csv_with_commas_and_a_bom_less_header_is_read():
    data = csv_bytes(LINES[2], sep=",", encoding="cp1252")
    report = run(data)
    assert report.counts["created"] == 1
    assert User.objects.get(email="ines.petit@caf2a.example").first_name == "Inès"


def test_a_utf8_csv_with_a_bom_and_headers_in_other_case_and_accents_is_read():
    header = "E-Mail;Prenom;NOM;Role;CAF;Direction;Organisation  partenaire"
    data = b"\xef\xbb\xbf" + csv_bytes(LINES[0], header=header)
    assert run(data).counts["created"] == 1


def test_an_xlsx_file_is_read_and_a_numeric_caf_code_loses_no_zero(caf_a):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["E-mail", "Prénom", "Nom", "Rôle", "Caf"])
    sheet.append(["Agent.Ain@Caf01.example", "Anne", "Ain", "Agent de Caf", 1])
    sheet.append(["agent.isere@caf38.example", "Ivan", "Isère", "agent", 38])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run(buffer.getvalue(), filename="agents.xlsx")
    assert report.counts["created"] == 2
    assert User.objects.get(email="agent.ain@caf01.example").caf.code == "01"
    assert User.objects.get(email="agent.isere@caf38.example").caf == caf_a


def test_a_dry_run_reports_what_would_change_and_writes_nothing(agent_a):
    data = csv_bytes(LINES[0], f"{agent_a.email};;;correspondant;38;;")
    report = run(data, dry_run=True)
    assert report.counts["created"] == 1
    assert report.counts["updated"] == 1
    assert not User.objects.filter(email="camille.martin@caf38.example").exists()
    agent_a.refresh_from_db()
    assert agent_a.role == Role.AGENT
    assert not AccountChange.objects.exists()
    assert "Simulation" in report.summary()


def test_the_same_file_twice_changes_nothing_and_writes_no_history_the_second_time(
    django_capture_on_commit_callbacks, mailoutbox
):
    data = csv_bytes(*LINES)
    with django_capture_on_commit_callbacks(execute=True):
        run(data)
    history = AccountChange.objects.count()
    mails = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        second = run(data)
    assert second.counts == {"created": 0, "updated": 0, "unchanged": 3, "refused": 0}
    assert AccountChange.objects.count() == history
    assert len(mailoutbox) == mails == 3


def test_an_update_reports_what_changed_and_keeps_it_in_the_history(agent_a, caf_b):
    report = run(csv_bytes(f"{agent_a.email};;;Correspondant innovation;69;;"))
    (line,) = report.lines
    assert line.outcome == Outcome.UPDATED
    assert "Agent de Caf → Correspondant innovation" in line.message
    assert "Caf du Rhône" in line.message
    agent_a.refresh_from_db()
    assert (agent_a.role, agent_a.caf) == (Role.CORRESPONDENT, caf_b)
    change = AccountChange.objects.get(user=agent_a)
    assert change.source == AccountChange.Source.IMPORT
    assert set(change.changes) == {"role", "caf"}


def test_an_empty_name_cell_does_not_erase_a_known_name(agent_a):
    name = agent_a.first_name
    report = run(csv_bytes(f"{agent_a.email};;;agent;38;;"))
    assert report.lines[0].outcome == Outcome.UNCHANGED
    agent_a.refresh_from_db()
    assert agent_a.first_name == name


def test_a_pending_account_listed_in_the_file_is_placed_in_its_caf(caf_a):
    pending = UserFactory(email="nouvelle@caf38.example", role=Role.PENDING, caf=None)
    run(csv_bytes(f"{pending.email};;;agent;38;;"))
    pending.refresh_from_db()
    assert (pending.role, pending.caf) == (Role.AGENT, caf_a)
    assert AccountChange.objects.get(user=pending).kind == AccountChange.Kind.ASSIGNED


def test_refused_lines_give_their_line_number_and_reason():
    Partner.objects.create(name="Association Même Nom", kind=Partner.Kind.ASSOCIATION)
    Partner.objects.create(name="Association même nom", kind=Partner.Kind.ASSOCIATION)
    report = run(
        csv_bytes(
            "inconnue@caf.example;A;B;agent;999;;",
            "sans-caf@caf.example;A;B;agent;;;",
            "pas-une-adresse;A;B;agent;38;;",
            "citoyen@caf.example;A;B;citoyen;;;",
            "direction@cnaf.example;A;B;directorate;;XYZ;",
            "sans-direction@cnaf.example;A;B;directorate;;;",
            "partenaire@asso.example;A;B;partenaire;;;Association même nom",
            "sans-role@caf.example;A;B;;38;;",
            "inconnue@caf.example;A;B;agent;38;;",
        )
    )
    messages = {line.number: str(line) for line in report.lines}
    assert messages[2] == "ligne 2 (inconnue@caf.example) : refusé — Caf «\u00a0999\u00a0» inconnue"
    assert "doit être rattaché à une Caf" in messages[3]
    assert "adresse e-mail «\u00a0pas-une-adresse\u00a0» invalide" in messages[4]
    assert "rôle «\u00a0citoyen\u00a0» inconnu ou non accepté" in messages[5]
    assert "direction «\u00a0XYZ\u00a0» inconnue" in messages[6]
    assert "doit être rattaché à une direction" in messages[7]
    assert "plusieurs organisations partenaires" in messages[8]
    assert "rôle manquant" in messages[9]
    assert "adresse déjà présente ligne 2" in messages[10]  # which line says true?
    assert report.counts == {"created": 0, "updated": 0, "unchanged": 0, "refused": 9}
    assert not User.objects.exists()
    assert report.lines_for_display()[0].outcome == Outcome.REFUSED


def test_a_caf_can_be_named_by_one_of_its_sirets(caf_b):
    CafSiret.objects.create(caf=caf_b, siret="53493412700017", label="Siège")
    run(csv_bytes("agent@caf69.example;A;B;agent;534 934 127 00017;;"))
    assert User.objects.get(email="agent@caf69.example").caf == caf_b


def test_a_directorate_and_a_partner_are_found_by_acronym_and_name():
    partner = Partner.objects.create(name="Parents en Isère", kind=Partner.Kind.ASSOCIATION)
    directorate = Directorate.objects.get(acronym="DPFS")
    run(
        csv_bytes(
            "d@cnaf.example;A;B;direction;;dpfs;",
            "p@asso.example;A;B;Partenaire;;;parents en isere",
        )
    )
    assert User.objects.get(email="d@cnaf.example").directorate == directorate
    assert User.objects.get(email="p@asso.example").partner == partner


def test_a_citizen_account_with_the_same_address_is_refused_not_turned_into_an_agent(citizen):
    report = run(csv_bytes(f"{citizen.email};A;B;agent;38;;"))
    assert report.lines[0].outcome == Outcome.REFUSED
    citizen.refresh_from_db()
    assert citizen.role == Role.CITIZEN


def test_full_deactivates_absent_network_members_but_never_citizens_nor_partners(
    agent_a, agent_b, citizen, lab_staff
):
    partner = UserFactory(
        email="p@asso.example",
        role=Role.PARTNER,
        caf=None,
        partner=Partner.objects.create(name="Asso", kind=Partner.Kind.ASSOCIATION),
    )
    report = run(csv_bytes(f"{agent_a.email};;;agent;38;;"), full=True, by=lab_staff)
    assert report.deactivated == 1  # agent B; the importer is never deactivated
    agent_b.refresh_from_db()
    assert not agent_b.is_active
    assert (
        User.objects.filter(pk__in=[agent_a.pk, citizen.pk, partner.pk, lab_staff.pk])
        .filter(is_active=True)
        .count()
        == 4
    )
    change = AccountChange.objects.get(user=agent_b)
    assert change.kind == AccountChange.Kind.DEACTIVATED
    assert "absent du fichier" in change.reason
    assert User.objects.filter(pk=agent_b.pk).exists()  # never deleted


def test_full_in_a_dry_run_counts_the_absent_and_deactivates_nobody(agent_a, agent_b):
    report = run(csv_bytes(f"{agent_a.email};;;agent;38;;"), full=True, dry_run=True)
    assert report.absent == 1
    assert report.deactivated == 0
    agent_b.refresh_from_db()
    assert agent_b.is_active


def test_full_with_no_valid_line_is_refused_rather_than_deactivating_the_network(agent_a):
    with pytest.raises(ImportFileError):
        run(csv_bytes("x@caf.example;A;B;inconnu;38;;"), full=True)
    agent_a.refresh_from_db()
    assert agent_a.is_active


def test_a_deactivated_person_listed_again_is_reactivated(agent_a):
    agent_a.is_active = False
    agent_a.save()
    report = run(csv_bytes(f"{agent_a.email};;;agent;38;;"))
    assert "réactivé" in report.lines[0].message
    agent_a.refresh_from_db()
    assert agent_a.is_active


def test_a_file_without_an_email_column_is_refused_whole():
    with pytest.raises(ImportFileError, match="e-mail"):
        read_people_file(b"nom;prenom\nA;B\n", "x.csv")


def test_the_command_imports_reports_each_line_and_sends_no_invitation_with_no_invite(
    tmp_path: Path, mailoutbox, capsys
):
    path = tmp_path / "agents.csv"
    path.write_bytes(csv_bytes(*LINES, "x@caf.example;A;B;agent;999;;"))
    out = io.StringIO()
    call_command("import_people", str(path), "--no-invite", stdout=out)
    text = out.getvalue()
    assert "ligne 5 (x@caf.example) : refusé — Caf «\u00a0999\u00a0» inconnue" in text
    assert "3 créé(s)" in text
    assert User.objects.filter(email__endswith=".example").count() == 3
    assert mailoutbox == []


def test_the_command_dry_run_writes_nothing(tmp_path: Path):
    path = tmp_path / "agents.csv"
    path.write_bytes(csv_bytes(*LINES))
    call_command("import_people", str(path), "--dry-run", stdout=io.StringIO())
    assert not User.objects.exists()


def test_the_command_asks_before_deactivating_the_absent(
    tmp_path: Path, agent_a, agent_b, monkeypatch
):
    path = tmp_path / "agents.csv"
    path.write_bytes(csv_bytes(f"{agent_a.email};;;agent;38;;"))
    monkeypatch.setattr("builtins.input", lambda prompt: "non")
    with pytest.raises(CommandError, match="annulé"):
        call_command("import_people", str(path), "--full", stdout=io.StringIO())
    agent_b.refresh_from_db()
    assert agent_b.is_active
    call_command("import_people", str(path), "--full", "--yes", stdout=io.StringIO())
    agent_b.refresh_from_db()
    assert not agent_b.is_active


def test_the_sample_file_of_the_repository_imports_cleanly():
    sample = Path(__file__).resolve().parents[2] / "docs" / "import_people_exemple.csv"
    report = run(sample.read_bytes(), filename=sample.name, dry_run=True)
    assert report.counts["refused"] == 0
    assert report.counts["created"] >= 5

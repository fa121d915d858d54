"""The theory of change drawn (evaluation.charts.change_diagram, evaluation/includes/toc_svg.html):
issue 17, its texts read as the charts' do: 14 px, a box's label cut to four lines carries its
full text in a <title>, and the lines fit the box."""

from types import SimpleNamespace

from django.template.loader import render_to_string

from caflab.core.charts import FONT_SIZE
from evaluation.charts import BOX_HEIGHT, change_diagram

LEVELS = [("activity", "Activités"), ("output", "Réalisations")]
LONG = (
    "Appeler chaque famille dans le mois qui suit la naissance pour vérifier ses droits, "
    "prendre rendez-vous et envoyer les pièces manquantes par courrier ou par SMS"
)


def test_a_long_label_is_cut_to_four_lines_in_the_box_with_its_full_text_in_a_title():
    steps = [
        SimpleNamespace(pk=1, level="activity", label=LONG),
        SimpleNamespace(pk=2, level="output", label="Rendez-vous pris"),
    ]
    links = [SimpleNamespace(source_id=1, target_id=2)]
    diagram = change_diagram("toc", "Théorie du changement", LEVELS, steps, links)
    long_box, short_box = diagram.boxes
    assert long_box.abbreviated
    assert not short_box.abbreviated
    assert len(long_box.lines) == 4
    ys = [y for y, _line in long_box.line_ys()]
    half_line = FONT_SIZE / 2
    assert long_box.y < ys[0] - half_line
    assert ys[-1] + half_line < long_box.y + BOX_HEIGHT

    svg = render_to_string("evaluation/includes/toc_svg.html", {"diagram": diagram})
    assert svg.count(f"<title>{LONG}</title>") == 1  # the cut box only
    assert 'font-size="14"' in svg
    assert 'font-size="1' not in svg.replace('font-size="14"', "")

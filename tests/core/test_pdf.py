"""CafLab's PDFs fetch nothing: an address in a report's body (an image a person linked in a
rich text, a stylesheet) is never requested, checked against a real local HTTP server."""

import http.server
import threading

import pytest

from evaluation.reporting import render_report_pdf
from kits.services import guides


@pytest.fixture
def watched_server():
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def test_an_impact_report_pdf_requests_no_address_in_its_body(watched_server):
    base, requests = watched_server
    body = (
        f'<h2>Résultats</h2><p><img src="{base}/suivi.png" alt=""></p>'
        f'<link rel="stylesheet" href="{base}/style.css">'
    )
    snapshot = {
        "taken_at": "2026-12-07T08:00:00+00:00",
        "scope": "portfolio",
        "totals": {"projects": 1},
    }
    pdf = render_report_pdf(title="Rapport", body=body, snapshot=snapshot, author="")
    assert pdf.startswith(b"%PDF")
    assert requests == []


def test_a_fiche_d_essaimage_pdf_requests_no_address_either(watched_server, monkeypatch):
    base, requests = watched_server
    import weasyprint

    from caflab.core.pdf import no_fetch

    html = f'<p>Fiche</p><img src="{base}/logo.png" alt="">'
    pdf = weasyprint.HTML(string=html, base_url=None, url_fetcher=no_fetch()).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert requests == []
    assert guides.no_fetch is no_fetch  # the fiche prints with the same fetcher

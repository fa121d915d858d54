"""Pytest fixture starting a real OpenID Connect provider on loopback.

Import it from a conftest: ``from tests.oidc_fixtures import oidc_provider  # noqa: F401``
(or ``oidc_provider_fixture``, the same fixture, to avoid ruff's F811 in a test module that
imports it and takes ``oidc_provider`` as an argument).
"""

from collections.abc import Iterator

import pytest

from tests.oidc_provider import OidcProvider

TEST_CLIENT_ID = "caflab-test"
TEST_CLIENT_SECRET = "secret-de-test"
# Any port and path of the loopback: the live_server port is only known at run time.
LOOPBACK_URIS = ["http://127.0.0.1:*", "http://localhost:*"]


@pytest.fixture(name="oidc_provider")
def oidc_provider_fixture() -> Iterator[OidcProvider]:
    """A provider signing its userinfo (as ProConnect), with the client ``caflab-test`` /
    ``secret-de-test`` allowed to redirect to any loopback URL, and no user yet."""
    with OidcProvider(signed_userinfo=True) as provider:
        provider.add_client(
            TEST_CLIENT_ID,
            TEST_CLIENT_SECRET,
            redirect_uris=LOOPBACK_URIS,
            post_logout_redirect_uris=LOOPBACK_URIS,
        )
        yield provider


# Same fixture under the name tests use, for `from tests.oidc_fixtures import oidc_provider`.
oidc_provider = oidc_provider_fixture

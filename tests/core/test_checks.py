import pytest

from campaign.core.checks import base_url_is_https


@pytest.mark.parametrize(
    ("base_url", "warns"),
    [
        ("https://sensus.example.org", False),
        ("http://sensus.example.org", True),
        ("https://", True),
        ("sensus.example.org", True),
    ],
)
def test_deploy_check_wants_an_https_base_url(settings, base_url, warns):
    settings.BASE_URL = base_url
    messages = base_url_is_https(None)
    assert [m.id for m in messages] == (["campaign.W001"] if warns else [])


def test_the_check_runs_with_check_deploy(settings):
    from django.core import checks

    settings.BASE_URL = "http://sensus.example.org"
    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "campaign.W001" in [m.id for m in found]

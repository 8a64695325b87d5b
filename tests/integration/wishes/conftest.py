import pytest

from tests.support.wishes import add_claimers, remove_claimers


@pytest.fixture
def claimers(res):
    ids = add_claimers(res)
    yield ids
    remove_claimers(res)

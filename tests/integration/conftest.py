import pytest


@pytest.fixture(autouse=True)
def _fresh_database(clean_db: str) -> None:
    """Integration tests each start from empty tables."""

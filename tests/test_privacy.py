"""What logs and errors may hold: never a text's body or a password hash."""
import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from saver.db import writing
from saver.models import Text, utcnow


def test_a_database_error_carries_no_values(app):
    row = dict(code=1, body=b"the secret body", created_at=utcnow(), expires_at=utcnow(),
               password_hash="scrypt$secret-hash", max_views=None, views=0,
               delete_token_hash="d" * 64, failed_attempts=0, failures=0, locks=0,
               locked_until=None, reports=0)
    with app.app_context():
        with writing() as connection:
            connection.execute(insert(Text).values(row))
        with pytest.raises(IntegrityError) as failed:
            with writing() as connection:
                connection.execute(insert(Text).values(row))  # the same code again
    message = str(failed.value)
    assert "secret" not in message and "hidden due to hide_parameters" in message

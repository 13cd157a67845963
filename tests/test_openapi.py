"""Schemathesis drives every documented operation: no 5xx, every answer fits the document.

The schema is loaded when the module is imported (schemathesis's pytest
integration works that way), so this runs on one SQLite database made here.
"""
import tempfile

import schemathesis
from hypothesis import HealthCheck, settings

from saver import create_app, pool
from saver.extensions import db

from services import TEST_SETTINGS

_FOLDER = tempfile.TemporaryDirectory(prefix="saver-openapi-")
app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{_FOLDER.name}/saver.db"})
with app.app_context():
    db.create_all()
    pool.seed()

# A negative example can be invalid by its size alone (a body past the limit):
# 413 rejects it too, beside schemathesis's own list.
REJECTIONS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429",
              "5xx"]
config = schemathesis.config.SchemathesisConfig.from_dict(
    {"checks": {"negative_data_rejection": {"expected-statuses": REJECTIONS}}})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_keeps_its_document(case):
    case.call_and_validate()

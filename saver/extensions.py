"""The Flask extensions, created unbound and bound to an app in the factory."""
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

# Named constraints let migrations alter tables on SQLite too.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Every statement commits on its own unless saver.db.writing() begins a
# transaction itself: a read then costs no BEGIN and COMMIT round trips, and
# its connection no isolation level to set and reset.
db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION),
                engine_options={"isolation_level": "AUTOCOMMIT"})
cors = CORS()
# Its settings are the app's RATELIMIT_* (see config.py); the limits are in limits.py.
limiter = Limiter(get_remote_address)

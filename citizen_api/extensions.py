"""Extensions, created unbound here and bound to the app in create_app()."""

from __future__ import annotations

from flask_sqlalchemy import SQLAlchemy

from models import Base

# Models derive from models.Base (no Flask); the extension shares its metadata and
# provides the engine and the request-scoped session.
db = SQLAlchemy(metadata=Base.metadata, session_options={"expire_on_commit": False})

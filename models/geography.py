"""Areas: the arrondissements and communes a report can fall in."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from models.base import Base, BigId
from models.i18n import Localized

AREA_KINDS = ("arrondissement", "commune")


class Area(Localized, Base):
    """An arrondissement of the Commune de Casablanca, or the commune of the Méchouar."""

    __tablename__ = "areas"
    __table_args__ = (CheckConstraint(f"kind IN {AREA_KINDS!r}", name="kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    name_fr: Mapped[str] = mapped_column(String(120))
    name_ar: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))
    prefecture_code: Mapped[str | None] = mapped_column(String(64), index=True)
    prefecture_name: Mapped[str | None] = mapped_column(String(120))
    hcp_code: Mapped[int | None] = mapped_column(Integer)
    geom = deferred(
        mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False)
    )

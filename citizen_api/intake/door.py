"""The end of a report in progress: duplicates at the door ("me too" instead of a second
report), and filing through the one way in (domain.reporting.file_report, its fields
checked by domain.report_fields). A mixin of intake.conversation.Talk. Free of Flask."""

from __future__ import annotations

from marshmallow import ValidationError
from sqlalchemy import select

from citizen_api.domain.moderation import public_description
from citizen_api.domain.phones import InvalidPhone, parse_mobile
from citizen_api.domain.report_fields import ReportFields
from citizen_api.domain.reporting import InvalidReport, file_report
from citizen_api.domain.text import similarity
from citizen_api.duplicates.nearby import nearby_open_reports, record_supporter
from citizen_api.intake.answers import clip
from models import OPEN_STATUSES, OutboundMessage, Photo, ServiceRequest
from notifications.outbox import enqueue_receipt

# Texts at least this alike (domain.text.similarity) make a nearby report a duplicate.
SIMILAR_TEXT = 0.35


class Door:
    """What Talk does once the report is complete enough: offer a duplicate, file it."""

    def duplicate_offer(self, service) -> str | None:
        """An open report of the same service within its duplicate radius whose text is
        like the resident's, nearest first; None when there is none."""
        found = nearby_open_reports(
            self.session,
            service.id,
            self.data["long"],
            self.data["lat"],
            service.duplicate_radius_m,
            limit=10,
        )
        mine = self._description()
        for report, distance in found:
            # Only text the public may read is quoted to another resident: contacts
            # masked, and none of a description hidden by moderation.
            shown = public_description(report)
            if shown and similarity(mine, report.description) >= SIMILAR_TEXT:
                self.data["dup"] = report.tracking_code
                return self.ask(
                    "duplicate",
                    self.say(
                        "duplicate",
                        distance=round(distance),
                        code=report.tracking_code,
                        text=clip(shown, 80),
                    ),
                )
        return None

    def file(self) -> str | None:
        """File the report through the one way in, with the resident's number (the
        receipt goes through the outbox), then end the conversation."""
        d = self.data
        try:
            parse_mobile(self.contact.phone_e164)
            phone = self.contact.phone_e164
        except InvalidPhone:  # a number WhatsApp knows but SMS cannot reach
            phone = None
        try:
            fields = ReportFields().load(
                {
                    "service_code": d["service"],
                    "lat": d["lat"],
                    "long": d["long"],
                    "description": self._description(),
                    "attributes": d.get("attrs") or {},
                }
            )
            report = file_report(
                self.session,
                **fields,
                phone=phone,
                lang=self.lang,
                channel="whatsapp",
                snap_m=self.intake.snap_m,
            )
        except (InvalidReport, ValidationError) as exc:
            detail = exc.detail if isinstance(exc, InvalidReport) else str(exc.messages)
            return self.ask("confirm", self.say("not_filed", why=detail))
        if d.get("photo"):
            report.photos.append(Photo(**d["photo"]))
        if phone is None:
            report.contact = self.contact
            enqueue_receipt(self.session, report, report.known_alert)
        self.outcome.report = report
        self._end()
        receipt = self.session.scalar(
            select(OutboundMessage).where(OutboundMessage.dedupe_key == f"receipt:{report.id}")
        )
        if receipt is not None and receipt.state == "pending":
            return None  # the receipt itself is the answer: the outbox sends it
        url = self.intake.settings.report_url(report.tracking_code)
        return self.say("filed", code=report.tracking_code, url=url)

    def support(self, code: str) -> str:
        report = self.session.scalar(
            select(ServiceRequest).where(ServiceRequest.tracking_code == code)
        )
        if report is None or report.status not in OPEN_STATUSES:  # closed meanwhile
            self.data["dup_checked"] = True
            return self.advance()
        record_supporter(
            self.session, report, f"whatsapp-contact:{self.contact.id}", self.contact.id
        )
        self.session.refresh(report, ["supporters_count"])
        count = report.supporters_count
        self._end(discard=True)
        url = self.intake.settings.report_url(code)
        return self.say("supported", code=code, count=count, url=url)

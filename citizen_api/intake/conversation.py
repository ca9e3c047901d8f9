"""The WhatsApp conversation that collects a report, one question at a time. Free of Flask.

The row (models.Conversation) keeps what was collected in `data` and, in `step`, the
question last asked: the next message is read as the answer to it. After each answer the
next question is whatever is still missing, in this order:

  describe  the problem in the resident's words (a greeting or a photo alone asks for it)
  service   a numbered menu of the three likeliest services (domain.suggest), 0 = all
  location  a WhatsApp location pin (Latitude/Longitude), inside the city
  duplicate an open report of that service nearby with similar text: support it instead?
  attribute each required attribute of the service, as numbered choices
  photo     optional: a photo, fetched and cleaned like an API upload
  details   optional: more words
  confirm   a summary; 1 files the report through domain.reporting.file_report
            (intake.door: the duplicate offer and the filing; intake.answers: reading answers)

A location pin or a photo is taken whenever it arrives. The report, its photo rows, its
receipt (in the outbox) and the end of the conversation commit together (intake.dispatch).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from citizen_api.domain.area_lookup import OutsideCity
from citizen_api.domain.catalogue_cache import catalogue
from citizen_api.domain.report_fields import MAX_DESCRIPTION
from citizen_api.domain.reporting import active_service
from citizen_api.domain.routing import area_index
from citizen_api.domain.suggest import detect_language, suggest
from citizen_api.domain.text import normalise, similarity
from citizen_api.intake import texts
from citizen_api.intake.answers import (
    answer_names,
    attribute_answer,
    clip,
    pick,
    read_number,
    text_problem,
)
from citizen_api.intake.door import Door
from citizen_api.intake.texts import CANCEL, NO, SKIP, SWITCH, YES, numbered, say
from citizen_api.photos.imaging import CleanPhoto
from models import (
    Conversation,
    ReporterContact,
    ServiceRequest,
    utcnow,
)

MENU_SIZE = 3
# A first message of at most this many words that the suggester cannot place is a
# greeting ("salam", "bonjour"): the resident is asked to describe the problem.
GREETING_WORDS = 2
GREETING_SCORE = 0.5


@dataclass
class Message:
    """One inbound WhatsApp message, as the conversation reads it."""

    sid: str
    body: str
    lat: float | None = None
    long: float | None = None
    photo: CleanPhoto | None = None
    photo_problem: str | None = None  # why a photo that was sent could not be used
    help: bool = False  # HELP / AIDE / مساعدة: the question is asked again


@dataclass
class Outcome:
    reply: str | None
    report: ServiceRequest | None = None
    stored_keys: list[str] = field(default_factory=list)  # photo files written now
    discard_keys: list[str] = field(default_factory=list)  # to delete once committed


class Talk(Door):
    """One step of one conversation: read the answer, say what comes next."""

    def __init__(self, intake, conversation: Conversation, contact: ReporterContact):
        self.intake, self.conv, self.contact = intake, conversation, contact
        self.session = intake.session
        # A deep copy: the JSON column sees a change only if the new value differs.
        self.data = copy.deepcopy(conversation.data or {})
        self.notes: list[str] = []
        self.outcome = Outcome(None)

    @property
    def lang(self) -> str:
        return self.conv.lang

    def say(self, key: str, **values) -> str:
        """The text in the conversation's language; numbers written as its readers do."""
        sep = "," if self.lang == "en" else "\u202f"
        values = {
            k: f"{v:,}".replace(",", sep) if isinstance(v, int) and v >= 1000 else v
            for k, v in values.items()
        }
        return say(self.lang, key, **values)

    # --- entry points -----------------------------------------------------------------
    def first(self, message: Message) -> Outcome:
        """A new conversation: take what the first message brings, ask what is missing."""
        self.take_media(message)
        text = message.body.strip()
        self.conv.lang = detect_language(text) if text else "fr"
        if normalise(text) in SWITCH:
            self.conv.lang = SWITCH[normalise(text)]
            self.data["lang_set"] = True
        elif text and not self._is_greeting(text):
            self.take_description(text)
        return self.finish(self.advance())

    def answer(self, message: Message) -> Outcome:
        """The resident's answer to the question last asked."""
        text = message.body.strip()
        word = normalise(text)
        if word in CANCEL:
            return self.finish(self.abandon())
        if word in SWITCH:
            self.conv.lang = SWITCH[word]
            self.data["lang_set"] = True
            return self.finish(self.advance())
        if message.help:
            return self.finish(self.advance())
        took_media = self.take_media(message)
        handler = getattr(self, f"on_{self.conv.step}")
        if took_media and not text:
            return self.finish(self.advance())
        return self.finish(handler(text, word))

    def finish(self, reply: str | None) -> Outcome:
        if not self._ended:
            self.conv.data = self.data
            self.conv.messages = (self.conv.messages or 0) + 1
            self.conv.expires_at = utcnow(24)
        parts = [*self.notes, reply] if reply else self.notes
        self.outcome.reply = "\n\n".join(parts) or None
        return self.outcome

    _ended = False
    notes_ask_location = False

    # --- what arrives at any step -----------------------------------------------------
    def take_media(self, message: Message) -> bool:
        took = False
        if message.lat is not None and message.long is not None:
            took = True
            self.take_location(message.lat, message.long)
        if message.photo is not None or message.photo_problem:
            took = True
            if message.photo_problem:
                why = texts.photo_problem(self.lang, message.photo_problem, self.intake.max_bytes)
                self.notes.append(self.say("photo_failed", why=why))
            elif not self.data.get("photo"):
                self.store_photo(message.photo)
            self.data["photo_done"] = True
        return took

    def store_photo(self, photo: CleanPhoto) -> None:
        from citizen_api.photos.album import store
        from citizen_api.photos.storage import StorageUnavailable

        try:
            (row,) = store(self.intake.storage, [photo])
        except StorageUnavailable:
            why = texts.photo_problem(self.lang, "storage", self.intake.max_bytes)
            self.notes.append(self.say("photo_failed", why=why))
            return
        self.outcome.stored_keys += [row.key, row.thumb_key]
        self.data["photo"] = {
            "key": row.key,
            "thumb_key": row.thumb_key,
            "content_type": row.content_type,
            "width": row.width,
            "height": row.height,
            "size_bytes": row.size_bytes,
        }
        self.notes.append(self.say("photo_received"))

    def take_location(self, lat: float, long: float) -> None:
        try:
            hit = area_index(self.session).locate(long, lat, self.intake.snap_m)
        except OutsideCity as exc:
            away = ""
            if exc.distance_m:
                km = f"{exc.distance_m / 1000:.1f}"
                away = self.say("away", km=km if self.lang == "en" else km.replace(".", ","))
            self.notes.append(self.say("outside", away=away))
            self.notes_ask_location = True
            return
        self.data.update(lat=lat, long=long, area_id=hit.area_id, dup_checked=False)

    def take_description(self, text: str) -> bool:
        problem = text_problem(text, MAX_DESCRIPTION)
        if problem:
            self.notes.append(self.say(problem[0], **problem[1]))
            return False
        self.data["text"] = text
        if not self.data.get("lang_set"):
            self.conv.lang = detect_language(text)
            self.data["lang_set"] = True
        return True

    # --- the questions ----------------------------------------------------------------
    def advance(self) -> str | None:
        """Ask the first thing still missing (or offer a duplicate before going on)."""
        d = self.data
        if not d.get("text"):
            return self.ask("describe", self.say("describe"))
        if not d.get("service"):
            return self.ask_service(suggest_for=d["text"])
        service = self._service()
        if d.get("lat") is None:
            if self.notes_ask_location:  # "outside the city" / "a pin, please" asked it
                return self.ask("location", "")
            return self.ask("location", self.say("location", service=service.name(self.lang)))
        if not d.get("dup_checked"):
            offer = self.duplicate_offer(service)
            if offer:
                return offer
            d["dup_checked"] = True
        missing = self._missing_attribute(service)
        if missing is not None:
            return self.ask_attribute(missing)
        if not d.get("photo_done"):
            return self.ask("photo", self.say("photo"))
        if not d.get("details_done"):
            return self.ask("details", self.say("details"))
        return self.ask("confirm", self.summary(service))

    def ask(self, step: str, text: str) -> str:
        self.conv.step = step
        return text

    def ask_service(self, suggest_for: str | None = None) -> str:
        active = [s for s in catalogue(self.session).services.values() if s.active]
        codes = []
        if suggest_for:
            codes = [c for c, _ in suggest(suggest_for, MENU_SIZE, {s.code for s in active})]
        key = "menu"
        if not codes:
            codes, key = [s.code for s in sorted(active, key=lambda s: s.id)], "full_menu"
        self.data["options"] = codes
        names = [catalogue(self.session).services_by_code[c].name(self.lang) for c in codes]
        return self.ask("service", self.say(key, options=numbered(names)))

    def ask_attribute(self, attribute) -> str:
        self.data["asking"] = attribute.code
        question = attribute.description(self.lang)
        if attribute.values:
            names = [pick(v, self.lang) for v in attribute.values]
            text = self.say("attribute", question=question, options=numbered(names))
            if attribute.datatype == "multivaluelist":
                text += "\n" + self.say("attribute_many")
            return self.ask("attribute", text)
        return self.ask("attribute", self.say("attribute_free", question=question))

    def summary(self, service) -> str:
        cat = catalogue(self.session)
        area = cat.areas.get(self.data["area_id"])
        answers = ""
        for attribute in self._attributes(service):
            value = self.data.get("attrs", {}).get(attribute.code)
            if value is None:
                continue
            shown = answer_names(attribute, value, self.lang)
            answers += f"• {attribute.description(self.lang)} → {shown}\n"
        photo = self.say("photo_yes" if self.data.get("photo") else "photo_no")
        text = clip(self._description(), 160)
        return self.say(
            "confirm",
            service=service.name(self.lang),
            area=area.name(self.lang) if area else "",
            answers=answers,
            photo=photo,
            text=text,
        )

    # --- answers, by the step they answer ---------------------------------------------
    def on_describe(self, text: str, word: str) -> str | None:
        if text and not self._is_greeting(text):
            self.take_description(text)
        return self.advance()

    def on_service(self, text: str, word: str) -> str | None:
        options = self.data.get("options") or []
        number = read_number(word)
        if number == 0:
            return self.ask_service()
        if number is not None:
            if 1 <= number <= len(options):
                return self.choose_service(options[number - 1])
            self.notes.append(self.say("bad_number", number=number, last=len(options)))
            return self.ask_service_again(options)
        if not word:
            return self.ask_service_again(options)
        cat = catalogue(self.session)
        named = [
            c for c in options if similarity(word, cat.services_by_code[c].name(self.lang)) > 0.6
        ]
        if len(named) == 1:
            return self.choose_service(named[0])
        return self.ask_service(suggest_for=text)

    def ask_service_again(self, options: list[str]) -> str:
        cat = catalogue(self.session)
        names = [cat.services_by_code[c].name(self.lang) for c in options]
        key = "menu" if len(options) <= MENU_SIZE else "full_menu"
        return self.ask("service", self.say(key, options=numbered(names)))

    def choose_service(self, code: str) -> str | None:
        self.data.update(service=code, attrs={}, dup_checked=False)
        self.data.pop("options", None)
        return self.advance()

    def on_location(self, text: str, word: str) -> str | None:
        self.notes.append(self.say("need_pin"))
        self.notes_ask_location = True
        return self.advance()

    def on_duplicate(self, text: str, word: str) -> str | None:
        if word in YES:
            return self.support(self.data["dup"])
        if word in NO:
            self.data["dup_checked"] = True
            return self.advance()
        return self.advance()

    def on_attribute(self, text: str, word: str) -> str | None:
        service = self._service()
        attribute = next(
            (a for a in self._attributes(service) if a.code == self.data.get("asking")), None
        )
        if attribute is None:
            return self.advance()
        value = attribute_answer(attribute, text, word)
        if value is None:
            last = len(attribute.values or ())
            if last:
                self.notes.append(self.say("bad_number", number=clip(text, 20) or "?", last=last))
            return self.advance()
        self.data.setdefault("attrs", {})[attribute.code] = value
        return self.advance()

    def on_photo(self, text: str, word: str) -> str | None:
        if word in SKIP:
            self.data["photo_done"] = True
        return self.advance()

    def on_details(self, text: str, word: str) -> str | None:
        if word in SKIP or not text:
            self.data["details_done"] = True
            return self.advance()
        room = MAX_DESCRIPTION - len(self.data.get("text", "")) - 2
        problem = text_problem(text, room)
        if problem:
            self.notes.append(self.say(problem[0], **problem[1]))
            return self.advance()
        self.data.update(details=text, details_done=True)
        return self.advance()

    def on_confirm(self, text: str, word: str) -> str | None:
        if word in YES:
            return self.file()
        return self.advance()

    def abandon(self) -> str:
        self._end(discard=True)
        return self.say("cancelled")

    def _end(self, discard: bool = False) -> None:
        if discard and self.data.get("photo"):
            photo = self.data["photo"]
            self.outcome.discard_keys += [photo["key"], photo["thumb_key"]]
        self.session.delete(self.conv)
        self._ended = True

    # --- reading the catalogue and the data -------------------------------------------
    def _service(self):
        return active_service(self.session, self.data["service"])

    @staticmethod
    def _attributes(service):
        return sorted(service.attributes, key=lambda a: (a.order, a.id))

    def _missing_attribute(self, service):
        answers = self.data.get("attrs") or {}
        for attribute in self._attributes(service):
            if attribute.required and attribute.code not in answers:
                return attribute
        return None

    def _description(self) -> str:
        parts = [self.data.get("text"), self.data.get("details")]
        return "\n".join(p for p in parts if p)

    def _is_greeting(self, text: str) -> bool:
        if len(normalise(text).split()) > GREETING_WORDS:
            return False
        best = suggest(text, 1)
        return not best or best[0][1] < GREETING_SCORE


def discarded_photo_keys(conversation: Conversation) -> list[str]:
    """The photo files a conversation holds, to delete when it is dropped."""
    photo = (conversation.data or {}).get("photo")
    return [photo["key"], photo["thumb_key"]] if photo else []

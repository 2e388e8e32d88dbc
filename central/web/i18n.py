"""Interface strings of the web channel in every catalogue language (English, Welsh).

Service texts come from the catalogue; these are the words around them. ``t(lang, key, **fmt)``.
"""

from __future__ import annotations

from catalogue.model import LANGUAGES

DEFAULT_LANG = "en"

STRINGS: dict[str, dict[str, str]] = {
    "service_name": {"en": "Public services", "cy": "Gwasanaethau cyhoeddus"},
    "skip": {"en": "Skip to main content", "cy": "Neidio i'r prif gynnwys"},
    "other_lang": {"en": "Cymraeg", "cy": "English"},
    "other_lang_label": {"en": "Newid yr iaith i Gymraeg", "cy": "Change the language to English"},
    "error_title": {"en": "There is a problem", "cy": "Mae problem wedi codi"},
    "error_prefix": {"en": "Error:", "cy": "Gwall:"},
    "warning": {"en": "Warning", "cy": "Rhybudd"},
    "continue": {"en": "Continue", "cy": "Parhau"},
    "claim_title": {"en": "Continue on your phone", "cy": "Parhau ar eich ffôn"},
    "claim_working": {
        "en": "Connecting your phone to the kiosk…",
        "cy": "Yn cysylltu eich ffôn â'r ciosg…",
    },
    "code_title": {"en": "Enter the code from the kiosk", "cy": "Rhowch y cod o'r ciosg"},
    "display_code": {"en": "Code", "cy": "Cod"},
    "display_code_hint": {
        "en": "12 letters, for example BCDF-GHJK-LMNP",
        "cy": "12 llythyren, er enghraifft BCDF-GHJK-LMNP",
    },
    "err_code_missing": {
        "en": "Enter the code shown on the kiosk screen",
        "cy": "Rhowch y cod sydd ar sgrin y ciosg",
    },
    "err_code_format": {
        "en": "Enter the 12 letters shown on the kiosk screen, for example BCDF-GHJK-LMNP",
        "cy": "Rhowch y 12 llythyren sydd ar sgrin y ciosg, er enghraifft BCDF-GHJK-LMNP",
    },
    "attempts_left": {"en": "You have {n} tries left.", "cy": "Mae gennych {n} cynnig ar ôl."},
    "compare_title": {"en": "Check the kiosk", "cy": "Gwiriwch y ciosg"},
    "compare_intro": {
        "en": "Make sure the kiosk in front of you shows this code and office. Then choose “Yes, this is my phone” on the kiosk.",
        "cy": "Gwnewch yn siŵr bod y ciosg o'ch blaen yn dangos y cod a'r swyddfa hyn. Yna dewiswch “Ie, fy ffôn i yw hwn” ar y ciosg.",
    },
    "office": {"en": "Office", "cy": "Swyddfa"},
    "compare_warning": {
        "en": "If the kiosk does not show this code, stop: do not enter any details.",
        "cy": "Os nad yw'r ciosg yn dangos y cod hwn, stopiwch: peidiwch â rhoi unrhyw fanylion.",
    },
    "confirmed_continue": {
        "en": "I have confirmed on the kiosk",
        "cy": "Rwyf wedi cadarnhau ar y ciosg",
    },
    "not_confirmed_yet": {
        "en": "The kiosk has not confirmed yet. Choose “Yes, this is my phone” on the kiosk, then try again.",
        "cy": "Nid yw'r ciosg wedi cadarnhau eto. Dewiswch “Ie, fy ffôn i yw hwn” ar y ciosg, yna rhowch gynnig arall arni.",
    },
    "ended_title": {"en": "This session has ended", "cy": "Mae'r sesiwn hon wedi dod i ben"},
    "ended_body": {
        "en": "Scan the code on the kiosk again, or use the code on your printed slip.",
        "cy": "Sganiwch y cod ar y ciosg eto, neu defnyddiwch y cod ar eich slip printiedig.",
    },
    "resume_title": {"en": "Continue with your slip", "cy": "Parhau gyda'ch slip"},
    "resume_code": {"en": "Code on your slip", "cy": "Cod ar eich slip"},
    "resume_code_hint": {
        "en": "12 letters, for example BCDF-GHJK-LMNP",
        "cy": "12 llythyren, er enghraifft BCDF-GHJK-LMNP",
    },
    "factor": {"en": "What you chose at the kiosk", "cy": "Yr hyn a ddewisoch yn y ciosg"},
    "factor_hint": {
        "en": "Your date of birth (for example 27/03/1985), the last 3 digits of your phone number, or your PIN",
        "cy": "Eich dyddiad geni (er enghraifft 27/03/1985), 3 digid olaf eich rhif ffôn, neu eich PIN",
    },
    "err_resume_code": {
        "en": "Enter the 12-letter code on your slip",
        "cy": "Rhowch y cod 12 llythyren ar eich slip",
    },
    "err_factor": {
        "en": "Enter what you chose at the kiosk",
        "cy": "Rhowch yr hyn a ddewisoch yn y ciosg",
    },
    "your_case": {"en": "Your application", "cy": "Eich cais"},
    "reference": {"en": "Reference", "cy": "Cyfeirnod"},
    "steps_left": {"en": "Steps", "cy": "Camau"},
    "done": {"en": "Completed", "cy": "Wedi'i gwblhau"},
    "todo": {"en": "Not yet started", "cy": "Heb ddechrau"},
    "start_next": {"en": "Continue your application", "cy": "Parhau â'ch cais"},
    "optional": {"en": "(optional)", "cy": "(dewisol)"},
    "day": {"en": "Day", "cy": "Diwrnod"},
    "month": {"en": "Month", "cy": "Mis"},
    "year": {"en": "Year", "cy": "Blwyddyn"},
    "yes": {"en": "Yes", "cy": "Ie"},
    "no": {"en": "No", "cy": "Na"},
    "err_required": {"en": "Enter {label}", "cy": "Rhowch {label}"},
    "err_choose": {"en": "Select {label}", "cy": "Dewiswch {label}"},
    "check_title": {
        "en": "Check your answers before sending",
        "cy": "Gwiriwch eich atebion cyn anfon",
    },
    "change": {"en": "Change", "cy": "Newid"},
    "not_given": {"en": "Not given", "cy": "Heb ei roi"},
    "send": {"en": "Accept and send", "cy": "Derbyn ac anfon"},
    "send_intro": {
        "en": "By sending this you confirm that the details are correct.",
        "cy": "Drwy anfon hwn rydych yn cadarnhau bod y manylion yn gywir.",
    },
    "done_title": {"en": "Application sent", "cy": "Cais wedi'i anfon"},
    "done_ref": {"en": "Your reference number", "cy": "Eich cyfeirnod"},
    "next_steps": {"en": "What happens next", "cy": "Beth sy'n digwydd nesaf"},
    "status_title": {"en": "Status of your application", "cy": "Statws eich cais"},
    "status": {"en": "Status", "cy": "Statws"},
    "st_open": {"en": "In progress", "cy": "Ar y gweill"},
    "st_submitted": {"en": "Sent", "cy": "Wedi'i anfon"},
    "st_waiting_for_staff": {
        "en": "Waiting for a member of staff",
        "cy": "Yn aros am aelod o staff",
    },
    "st_with_staff": {"en": "With a member of staff", "cy": "Gydag aelod o staff"},
    "st_closed": {"en": "Closed", "cy": "Wedi cau"},
    "fb_send": {"en": "Send feedback", "cy": "Anfon adborth"},
    "fb_thanks": {"en": "Thank you for your feedback.", "cy": "Diolch am eich adborth."},
    "back": {"en": "Back", "cy": "Yn ôl"},
    "view_status": {"en": "View the status of your application", "cy": "Gweld statws eich cais"},
    "rate_limited": {
        "en": "Too many attempts. Wait a minute and try again.",
        "cy": "Gormod o gynigion. Arhoswch funud a rhowch gynnig arall arni.",
    },
    "forbidden": {
        "en": "This form has expired. Go back and try again.",
        "cy": "Mae'r ffurflen hon wedi dod i ben. Ewch yn ôl a rhowch gynnig arall arni.",
    },
    "not_editable": {
        "en": "Your application has been sent and can no longer be changed.",
        "cy": "Mae eich cais wedi'i anfon ac ni ellir ei newid mwyach.",
    },
    "err_link": {
        "en": "This link does not work. Scan the code on the kiosk again, or enter the code shown.",
        "cy": "Nid yw'r ddolen hon yn gweithio. Sganiwch y cod ar y ciosg eto, neu rhowch y cod a ddangosir.",
    },
    "err_case_closed": {
        "en": "This application can no longer be carried on from a phone. Ask a member of staff.",
        "cy": "Ni ellir parhau â'r cais hwn o ffôn mwyach. Gofynnwch i aelod o staff.",
    },
    "err_claimed": {
        "en": "This code has already been used. Ask the kiosk for a new code.",
        "cy": "Mae'r cod hwn eisoes wedi'i ddefnyddio. Gofynnwch i'r ciosg am god newydd.",
    },
    "err_expired": {
        "en": "This code has expired. Ask the kiosk for a new code.",
        "cy": "Mae'r cod hwn wedi dod i ben. Gofynnwch i'r ciosg am god newydd.",
    },
    "err_wrong_code": {
        "en": "The code does not match the kiosk. Check it and try again.",
        "cy": "Nid yw'r cod yn cyfateb i'r ciosg. Gwiriwch ef a rhowch gynnig arall arni.",
    },
    "err_no_code": {
        "en": "We could not find that code. Check it against the kiosk screen and try again.",
        "cy": "Ni allem ddod o hyd i'r cod hwnnw. Gwiriwch ef yn erbyn sgrin y ciosg a rhowch gynnig arall arni.",
    },
    "err_slip": {
        "en": "We could not find that code. Check it against your slip.",
        "cy": "Ni allem ddod o hyd i'r cod hwnnw. Gwiriwch ef yn erbyn eich slip.",
    },
    "err_slip_expired": {
        "en": "This slip can no longer be used. Ask a member of staff for help.",
        "cy": "Ni ellir defnyddio'r slip hwn mwyach. Gofynnwch i aelod o staff am help.",
    },
    "err_wrong_factor": {
        "en": "That does not match what you chose at the kiosk.",
        "cy": "Nid yw hynny'n cyfateb i'r hyn a ddewisoch yn y ciosg.",
    },
    "err_busy": {
        "en": "We are very busy. Wait a few seconds, then scan the code on the kiosk again.",
        "cy": "Rydym yn brysur iawn. Arhoswch ychydig eiliadau, yna sganiwch y cod ar y ciosg eto.",
    },
    "err_bad_factor": {
        "en": "Enter your date of birth like 27/03/1985, 3 digits of your phone number, or your PIN.",
        "cy": "Rhowch eich dyddiad geni fel 27/03/1985, 3 digid o'ch rhif ffôn, neu eich PIN.",
    },
}


def pick_lang(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT_LANG


def t(lang: str, key: str, **fmt: object) -> str:
    text = STRINGS[key].get(lang) or STRINGS[key][DEFAULT_LANG]
    return text.format(**fmt) if fmt else text

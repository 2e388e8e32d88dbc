"""Interface strings of the web front door (home, services, start, office, save, help), English and
Welsh. Added to :data:`central.web.i18n.STRINGS` when imported, so templates use them through the
same ``t(key)``; a key that is already there is a bug and stops the import."""

from __future__ import annotations

from datetime import date

from central.web.i18n import STRINGS

START_STRINGS: dict[str, dict[str, str]] = {
    "home": {"en": "Home", "cy": "Hafan"},
    "home_title": {
        "en": "Use a public service online",
        "cy": "Defnyddio gwasanaeth cyhoeddus ar-lein",
    },
    "home_intro": {
        "en": "Start a service here at any time. You can save it and come back later, carry on at a kiosk in one of our offices, or ask a member of staff for help.",
        "cy": "Dechreuwch wasanaeth yma unrhyw bryd. Gallwch ei gadw a dod yn ôl ato wedyn, parhau mewn ciosg yn un o'n swyddfeydd, neu ofyn i aelod o staff am help.",
    },
    "by_event": {
        "en": "Find a service by what has happened",
        "cy": "Dod o hyd i wasanaeth yn ôl yr hyn sydd wedi digwydd",
    },
    "a_to_z": {"en": "All services A to Z", "cy": "Pob gwasanaeth o A i Y"},
    "come_back_title": {"en": "Come back to an application", "cy": "Dod yn ôl at gais"},
    "come_back_body": {
        "en": "If you saved an application, or you have a slip from a kiosk, carry on with your code.",
        "cy": "Os gwnaethoch gadw cais, neu os oes gennych slip o giosg, parhewch gyda'ch cod.",
    },
    "come_back_link": {"en": "Continue with your code", "cy": "Parhau gyda'ch cod"},
    "kiosk_link": {
        "en": "Carry on from a kiosk screen",
        "cy": "Parhau o sgrin ciosg",
    },
    "services_in": {"en": "Services", "cy": "Gwasanaethau"},
    "no_services": {
        "en": "There are no services here that you can start online yet.",
        "cy": "Nid oes unrhyw wasanaethau yma y gallwch eu dechrau ar-lein eto.",
    },
    "before_start": {"en": "Before you start", "cy": "Cyn i chi ddechrau"},
    "start_now": {"en": "Start now", "cy": "Dechrau nawr"},
    "start_save_note": {
        "en": "You can save your answers and come back within 30 days, online or at a kiosk.",
        "cy": "Gallwch gadw eich atebion a dod yn ôl cyn pen 30 diwrnod, ar-lein neu mewn ciosg.",
    },
    "not_online_title": {
        "en": "This service cannot be started online",
        "cy": "Ni ellir dechrau'r gwasanaeth hwn ar-lein",
    },
    "not_online_body": {
        "en": "Go to one of our offices: a kiosk or a member of staff can help you.",
        "cy": "Ewch i un o'n swyddfeydd: gall ciosg neu aelod o staff eich helpu.",
    },
    "no_service_title": {"en": "Service not found", "cy": "Heb ddod o hyd i'r gwasanaeth"},
    "no_service_body": {
        "en": "We could not find that service. It may have been removed or renamed. Choose a service from the list.",
        "cy": "Ni allem ddod o hyd i'r gwasanaeth hwnnw. Efallai ei fod wedi'i ddileu neu fod ei enw wedi newid. Dewiswch wasanaeth o'r rhestr.",
    },
    "page_not_found_title": {"en": "Page not found", "cy": "Heb ddod o hyd i'r dudalen"},
    "start_closed_title": {
        "en": "Sorry, you cannot start a service online at the moment",
        "cy": "Mae'n ddrwg gennym, ni allwch ddechrau gwasanaeth ar-lein ar hyn o bryd",
    },
    "start_closed_body": {
        "en": "Try again later, or go to one of our offices.",
        "cy": "Rhowch gynnig arall arni yn nes ymlaen, neu ewch i un o'n swyddfeydd.",
    },
    "start_busy": {
        "en": "We are very busy. Wait a few seconds and try again.",
        "cy": "Rydym yn brysur iawn. Arhoswch ychydig eiliadau a rhowch gynnig arall arni.",
    },
    "start_limited": {
        "en": "Many applications have been started from your connection in the last hour. Try again later, or carry on with an application you saved.",
        "cy": "Mae llawer o geisiadau wedi'u dechrau o'ch cysylltiad yn ystod yr awr ddiwethaf. Rhowch gynnig arall arni yn nes ymlaen, neu parhewch â chais a gadwyd gennych.",
    },
    "office_title": {
        "en": "Which office should deal with your application?",
        "cy": "Pa swyddfa ddylai ddelio â'ch cais?",
    },
    "office_hint": {
        "en": "If you ask for help, staff at this office will see your application.",
        "cy": "Os byddwch yn gofyn am help, bydd staff yn y swyddfa hon yn gweld eich cais.",
    },
    "office_not_sure": {"en": "I'm not sure", "cy": "Dydw i ddim yn siŵr"},
    "office_or": {"en": "or", "cy": "neu"},
    "office_postcode": {"en": "Your postcode (optional)", "cy": "Eich cod post (dewisol)"},
    "office_postcode_hint": {
        "en": "If you are not sure, we will choose the office for this postcode. We do not keep it.",
        "cy": "Os nad ydych yn siŵr, byddwn yn dewis y swyddfa ar gyfer y cod post hwn. Nid ydym yn ei gadw.",
    },
    "err_office": {
        "en": "Select an office, or select ‘I'm not sure’",
        "cy": "Dewiswch swyddfa, neu dewiswch ‘Dydw i ddim yn siŵr’",
    },
    "save_later": {"en": "Save and come back later", "cy": "Cadw a dod yn ôl wedyn"},
    "need_help": {"en": "I need help with this", "cy": "Mae angen help arnaf gyda hyn"},
    "save_title": {
        "en": "Save your application and come back later",
        "cy": "Cadw eich cais a dod yn ôl ato wedyn",
    },
    "save_intro": {
        "en": "We will give you a code. To open your application again, online or at a kiosk, you will need the code and the answer you choose here.",
        "cy": "Byddwn yn rhoi cod i chi. I agor eich cais eto, ar-lein neu mewn ciosg, bydd angen y cod arnoch a'r ateb a ddewiswch yma.",
    },
    "factor_legend": {
        "en": "How do you want to prove it is you when you come back?",
        "cy": "Sut ydych chi eisiau profi mai chi sydd yno pan fyddwch yn dod yn ôl?",
    },
    "fo_pin": {"en": "A PIN that I choose", "cy": "PIN rwy'n ei ddewis"},
    "fo_dob": {"en": "My date of birth", "cy": "Fy nyddiad geni"},
    "fo_phone_last3": {
        "en": "The last 3 digits of my phone number",
        "cy": "3 digid olaf fy rhif ffôn",
    },
    "fl_pin": {"en": "Choose a PIN", "cy": "Dewiswch PIN"},
    "fh_pin": {"en": "4 to 6 digits", "cy": "4 i 6 digid"},
    "fl_dob": {"en": "Date of birth", "cy": "Dyddiad geni"},
    "fh_dob": {"en": "For example, 27/03/1985", "cy": "Er enghraifft, 27/03/1985"},
    "fl_phone_last3": {"en": "Last 3 digits", "cy": "3 digid olaf"},
    "fh_phone_last3": {
        "en": "The last 3 digits of your phone number",
        "cy": "3 digid olaf eich rhif ffôn",
    },
    "err_factor_kind": {
        "en": "Select how you want to prove it is you",
        "cy": "Dewiswch sut rydych am brofi mai chi sydd yno",
    },
    "ferr_pin": {"en": "Enter a PIN of 4 to 6 digits", "cy": "Rhowch PIN o 4 i 6 digid"},
    "ferr_dob": {
        "en": "Enter a real date of birth, for example 27/03/1985",
        "cy": "Rhowch ddyddiad geni go iawn, er enghraifft 27/03/1985",
    },
    "ferr_phone_last3": {
        "en": "Enter the last 3 digits of your phone number",
        "cy": "Rhowch 3 digid olaf eich rhif ffôn",
    },
    "save_button": {"en": "Save and get my code", "cy": "Cadw a chael fy nghod"},
    "saved_title": {"en": "Your application has been saved", "cy": "Mae eich cais wedi'i gadw"},
    "saved_code": {"en": "Your code", "cy": "Eich cod"},
    "saved_write": {
        "en": "Write this code down or take a photo of it. We cannot show it to you again.",
        "cy": "Ysgrifennwch y cod hwn neu tynnwch lun ohono. Ni allwn ei ddangos i chi eto.",
    },
    "saved_until": {
        "en": "We keep your answers until {date}. After that they are deleted and you will need to start again.",
        "cy": "Byddwn yn cadw eich atebion tan {date}. Ar ôl hynny cânt eu dileu a bydd angen i chi ddechrau eto.",
    },
    "saved_how": {
        "en": "To carry on, go to {url} on any phone or computer, or use a kiosk at {office}. Enter the code and your {factor}.",
        "cy": "I barhau, ewch i {url} ar unrhyw ffôn neu gyfrifiadur, neu defnyddiwch giosg yn {office}. Rhowch y cod a'ch {factor}.",
    },
    "fk_pin": {"en": "PIN", "cy": "PIN"},
    "fk_dob": {"en": "date of birth", "cy": "dyddiad geni"},
    "fk_phone_last3": {
        "en": "last 3 digits of your phone number",
        "cy": "3 digid olaf eich rhif ffôn",
    },
    "saved_continue": {"en": "Carry on now", "cy": "Parhau nawr"},
    "help_title": {
        "en": "Ask a member of staff for help",
        "cy": "Gofyn i aelod o staff am help",
    },
    "help_intro": {
        "en": "Staff at {office} will see your application and everything you have answered so far. They can help you finish it.",
        "cy": "Bydd staff yn {office} yn gweld eich cais a phopeth rydych wedi'i ateb hyd yma. Gallant eich helpu i'w orffen.",
    },
    "help_button": {"en": "Ask for help", "cy": "Gofyn am help"},
    "help_back": {"en": "Go back to your application", "cy": "Mynd yn ôl at eich cais"},
    "helped_title": {
        "en": "Your application is with our staff",
        "cy": "Mae eich cais gyda'n staff",
    },
    "helped_next": {
        "en": "A member of staff at {office} will look at your application. Take your reference with you if you visit the office, or give it to us if you phone. You can still carry on with your application here.",
        "cy": "Bydd aelod o staff yn {office} yn edrych ar eich cais. Ewch â'ch cyfeirnod gyda chi os byddwch yn ymweld â'r swyddfa, neu rhowch ef i ni os byddwch yn ffonio. Gallwch barhau â'ch cais yma o hyd.",
    },
    "service_gone_title": {
        "en": "This service is no longer available",
        "cy": "Nid yw'r gwasanaeth hwn ar gael mwyach",
    },
    "service_gone": {
        "en": "This service is no longer offered, so this application cannot be carried on. Ask a member of staff for help and give them your reference.",
        "cy": "Nid yw'r gwasanaeth hwn yn cael ei gynnig mwyach, felly ni ellir parhau â'r cais hwn. Gofynnwch i aelod o staff am help a rhowch eich cyfeirnod iddynt.",
    },
    "resume_any_title": {"en": "Continue your application", "cy": "Parhau â'ch cais"},
    "resume_any_code": {"en": "Your code", "cy": "Eich cod"},
    "resume_any_code_hint": {
        "en": "12 letters, from your kiosk slip or from when you saved, for example BCDF-GHJK-LMNP",
        "cy": "12 llythyren, o'ch slip ciosg neu o pan wnaethoch gadw, er enghraifft BCDF-GHJK-LMNP",
    },
    "resume_any_factor": {
        "en": "Your PIN, date of birth or last 3 digits of your phone number",
        "cy": "Eich PIN, eich dyddiad geni neu 3 digid olaf eich rhif ffôn",
    },
    "resume_any_factor_hint": {
        "en": "Whichever you chose when you saved, or at the kiosk. A date of birth like 27/03/1985.",
        "cy": "Pa un bynnag a ddewisoch pan wnaethoch gadw, neu yn y ciosg. Dyddiad geni fel 27/03/1985.",
    },
}

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "cy": "Ionawr Chwefror Mawrth Ebrill Mai Mehefin Gorffennaf Awst Medi Hydref Tachwedd Rhagfyr",
}


def long_date(day: date, lang: str) -> str:
    """``1 January 2027`` / ``1 Ionawr 2027``."""
    months = MONTHS.get(lang, MONTHS["en"]).split()
    return f"{day.day} {months[day.month - 1]} {day.year}"


_clash = set(START_STRINGS) & set(STRINGS)
if _clash:  # pragma: no cover - a programming error, caught by any test that imports the app
    raise RuntimeError(f"web start strings already defined in i18n: {sorted(_clash)}")
STRINGS.update(START_STRINGS)

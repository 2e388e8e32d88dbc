"""The web channel's interface strings, English and Welsh, in one table: the citizen's pages (claim,
resume, steps, check, status), the web front door (home, services, start, office, save, help), the
phone's side of a staff handoff and the one feedback question.

Kept apart from the lookup (:mod:`central.web.i18n`) so the table can grow without pushing the
lookup past the module size limit. A key missing a language falls back to English at lookup time;
a key missing altogether raises ``KeyError`` in ``t()`` — a programming error that the page's own
tests meet first, never a citizen's input. ``tests/test_apostrophes.py`` reads every sentence here.
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "service_name": {"en": "Public services", "cy": "Gwasanaethau cyhoeddus"},
    "skip": {"en": "Skip to main content", "cy": "Neidio i’r prif gynnwys"},
    "other_lang": {"en": "Cymraeg", "cy": "English"},
    "other_lang_label": {"en": "Newid yr iaith i Gymraeg", "cy": "Change the language to English"},
    "error_title": {"en": "There is a problem", "cy": "Mae problem wedi codi"},
    "error_prefix": {"en": "Error:", "cy": "Gwall:"},
    "warning": {"en": "Warning", "cy": "Rhybudd"},
    "continue": {"en": "Continue", "cy": "Parhau"},
    "claim_title": {"en": "Continue on your phone", "cy": "Parhau ar eich ffôn"},
    "claim_working": {
        "en": "Connecting your phone to the kiosk…",
        "cy": "Yn cysylltu eich ffôn â’r ciosg…",
    },
    "code_title": {"en": "Enter the code from the kiosk", "cy": "Rhowch y cod o’r ciosg"},
    "display_code": {"en": "Code", "cy": "Cod"},
    "display_code_hint": {
        "en": "13 letters, for example BCDFG-HJKL-MNPQ",
        "cy": "13 llythyren, er enghraifft BCDFG-HJKL-MNPQ",
    },
    "err_code_missing": {
        "en": "Enter the code shown on the kiosk screen",
        "cy": "Rhowch y cod sydd ar sgrin y ciosg",
    },
    "err_code_format": {
        "en": "Enter the 13 letters shown on the kiosk screen, for example BCDFG-HJKL-MNPQ",
        "cy": "Rhowch y 13 llythyren sydd ar sgrin y ciosg, er enghraifft BCDFG-HJKL-MNPQ",
    },
    "attempts_left": {"en": "You have {n} tries left.", "cy": "Mae gennych {n} cynnig ar ôl."},
    "compare_title": {"en": "Check the kiosk", "cy": "Gwiriwch y ciosg"},
    "compare_intro": {
        "en": "Make sure the kiosk in front of you shows this code and office. Then choose “Yes, this is my phone” on the kiosk.",
        "cy": "Gwnewch yn siŵr bod y ciosg o’ch blaen yn dangos y cod a’r swyddfa hyn. Yna dewiswch “Ie, fy ffôn i yw hwn” ar y ciosg.",
    },
    "office": {"en": "Office", "cy": "Swyddfa"},
    "compare_warning": {
        "en": "If the kiosk does not show this code, stop: do not enter any details.",
        "cy": "Os nad yw’r ciosg yn dangos y cod hwn, stopiwch: peidiwch â rhoi unrhyw fanylion.",
    },
    "confirmed_continue": {
        "en": "I have confirmed on the kiosk",
        "cy": "Rwyf wedi cadarnhau ar y ciosg",
    },
    "not_confirmed_yet": {
        "en": "The kiosk has not confirmed yet. Choose “Yes, this is my phone” on the kiosk, then try again.",
        "cy": "Nid yw’r ciosg wedi cadarnhau eto. Dewiswch “Ie, fy ffôn i yw hwn” ar y ciosg, yna rhowch gynnig arall arni.",
    },
    "ended_title": {"en": "This session has ended", "cy": "Mae’r sesiwn hon wedi dod i ben"},
    "ended_body": {
        "en": "Scan the code on the kiosk again, or use the code on your printed slip.",
        "cy": "Sganiwch y cod ar y ciosg eto, neu defnyddiwch y cod ar eich slip printiedig.",
    },
    "resume_title": {"en": "Continue with your slip", "cy": "Parhau gyda’ch slip"},
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
    "done": {"en": "Completed", "cy": "Wedi’i gwblhau"},
    "todo": {"en": "Not yet started", "cy": "Heb ddechrau"},
    "start_next": {"en": "Continue your application", "cy": "Parhau â’ch cais"},
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
    "done_title": {"en": "Application sent", "cy": "Cais wedi’i anfon"},
    "done_ref": {"en": "Your reference number", "cy": "Eich cyfeirnod"},
    "next_steps": {"en": "What happens next", "cy": "Beth sy’n digwydd nesaf"},
    "status_title": {"en": "Status of your application", "cy": "Statws eich cais"},
    "status": {"en": "Status", "cy": "Statws"},
    "st_open": {"en": "In progress", "cy": "Ar y gweill"},
    "st_submitted": {"en": "Sent", "cy": "Wedi’i anfon"},
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
        "cy": "Mae’r ffurflen hon wedi dod i ben. Ewch yn ôl a rhowch gynnig arall arni.",
    },
    "not_editable": {
        "en": "Your application has been sent and can no longer be changed.",
        "cy": "Mae eich cais wedi’i anfon ac ni ellir ei newid mwyach.",
    },
    "err_link": {
        "en": "This link does not work. Scan the code on the kiosk again, or enter the code shown.",
        "cy": "Nid yw’r ddolen hon yn gweithio. Sganiwch y cod ar y ciosg eto, neu rhowch y cod a ddangosir.",
    },
    "err_case_closed": {
        "en": "This application can no longer be carried on from a phone. Ask a member of staff.",
        "cy": "Ni ellir parhau â’r cais hwn o ffôn mwyach. Gofynnwch i aelod o staff.",
    },
    "err_claimed": {
        "en": "This code has already been used. Ask the kiosk for a new code.",
        "cy": "Mae’r cod hwn eisoes wedi’i ddefnyddio. Gofynnwch i’r ciosg am god newydd.",
    },
    "err_expired": {
        "en": "This code has expired. Ask the kiosk for a new code.",
        "cy": "Mae’r cod hwn wedi dod i ben. Gofynnwch i’r ciosg am god newydd.",
    },
    "err_wrong_code": {
        "en": "The code does not match the kiosk. Check it and try again.",
        "cy": "Nid yw’r cod yn cyfateb i’r ciosg. Gwiriwch ef a rhowch gynnig arall arni.",
    },
    "err_no_code": {
        "en": "We could not find that code. Check it against the kiosk screen and try again.",
        "cy": "Ni allem ddod o hyd i’r cod hwnnw. Gwiriwch ef yn erbyn sgrin y ciosg a rhowch gynnig arall arni.",
    },
    "err_slip": {
        "en": "We could not find that code. Check it against your slip.",
        "cy": "Ni allem ddod o hyd i’r cod hwnnw. Gwiriwch ef yn erbyn eich slip.",
    },
    "err_slip_expired": {
        "en": "This slip can no longer be used. Ask a member of staff for help.",
        "cy": "Ni ellir defnyddio’r slip hwn mwyach. Gofynnwch i aelod o staff am help.",
    },
    "err_wrong_factor": {
        "en": "That does not match what you chose at the kiosk.",
        "cy": "Nid yw hynny’n cyfateb i’r hyn a ddewisoch yn y ciosg.",
    },
    "err_busy": {
        "en": "We are very busy. Wait a few seconds, then scan the code on the kiosk again.",
        "cy": "Rydym yn brysur iawn. Arhoswch ychydig eiliadau, yna sganiwch y cod ar y ciosg eto.",
    },
    "err_bad_factor": {
        "en": "Enter your date of birth like 27/03/1985, 3 digits of your phone number, or your PIN.",
        "cy": "Rhowch eich dyddiad geni fel 27/03/1985, 3 digid o’ch rhif ffôn, neu eich PIN.",
    },
    # the web front door: home, services, start, office, save, help
    "home": {"en": "Home", "cy": "Hafan"},
    "home_title": {
        "en": "Use a public service online",
        "cy": "Defnyddio gwasanaeth cyhoeddus ar-lein",
    },
    "home_intro": {
        "en": "Start a service here at any time. You can save it and come back later, carry on at a kiosk in one of our offices, or ask a member of staff for help.",
        "cy": "Dechreuwch wasanaeth yma unrhyw bryd. Gallwch ei gadw a dod yn ôl ato wedyn, parhau mewn ciosg yn un o’n swyddfeydd, neu ofyn i aelod o staff am help.",
    },
    "by_event": {
        "en": "Find a service by what has happened",
        "cy": "Dod o hyd i wasanaeth yn ôl yr hyn sydd wedi digwydd",
    },
    "a_to_z": {"en": "All services A to Z", "cy": "Pob gwasanaeth o A i Y"},
    "come_back_title": {"en": "Come back to an application", "cy": "Dod yn ôl at gais"},
    "come_back_body": {
        "en": "If you saved an application, or you have a slip from a kiosk, carry on with your code.",
        "cy": "Os gwnaethoch gadw cais, neu os oes gennych slip o giosg, parhewch gyda’ch cod.",
    },
    "come_back_link": {"en": "Continue with your code", "cy": "Parhau gyda’ch cod"},
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
        "cy": "Ni ellir dechrau’r gwasanaeth hwn ar-lein",
    },
    "not_online_body": {
        "en": "Go to one of our offices: a kiosk or a member of staff can help you.",
        "cy": "Ewch i un o’n swyddfeydd: gall ciosg neu aelod o staff eich helpu.",
    },
    "no_service_title": {"en": "Service not found", "cy": "Heb ddod o hyd i’r gwasanaeth"},
    "no_service_body": {
        "en": "We could not find that service. It may have been removed or renamed. Choose a service from the list.",
        "cy": "Ni allem ddod o hyd i’r gwasanaeth hwnnw. Efallai ei fod wedi’i ddileu neu fod ei enw wedi newid. Dewiswch wasanaeth o’r rhestr.",
    },
    "page_not_found_title": {"en": "Page not found", "cy": "Heb ddod o hyd i’r dudalen"},
    "start_closed_title": {
        "en": "Sorry, you cannot start a service online at the moment",
        "cy": "Mae’n ddrwg gennym, ni allwch ddechrau gwasanaeth ar-lein ar hyn o bryd",
    },
    "start_closed_body": {
        "en": "Try again later, or go to one of our offices.",
        "cy": "Rhowch gynnig arall arni yn nes ymlaen, neu ewch i un o’n swyddfeydd.",
    },
    "start_busy": {
        "en": "We are very busy. Wait a few seconds and try again.",
        "cy": "Rydym yn brysur iawn. Arhoswch ychydig eiliadau a rhowch gynnig arall arni.",
    },
    "start_limited": {
        "en": "Many applications have been started from your connection in the last hour. Try again later, or carry on with an application you saved.",
        "cy": "Mae llawer o geisiadau wedi’u dechrau o’ch cysylltiad yn ystod yr awr ddiwethaf. Rhowch gynnig arall arni yn nes ymlaen, neu parhewch â chais a gadwyd gennych.",
    },
    "office_title": {
        "en": "Which office should deal with your application?",
        "cy": "Pa swyddfa ddylai ddelio â’ch cais?",
    },
    "office_hint": {
        "en": "If you ask for help, staff at this office will see your application.",
        "cy": "Os byddwch yn gofyn am help, bydd staff yn y swyddfa hon yn gweld eich cais.",
    },
    "office_not_sure": {"en": "I’m not sure", "cy": "Dydw i ddim yn siŵr"},
    "office_or": {"en": "or", "cy": "neu"},
    "office_postcode": {"en": "Your postcode (optional)", "cy": "Eich cod post (dewisol)"},
    "office_postcode_hint": {
        "en": "If you are not sure, we will choose the office for this postcode. We do not keep it.",
        "cy": "Os nad ydych yn siŵr, byddwn yn dewis y swyddfa ar gyfer y cod post hwn. Nid ydym yn ei gadw.",
    },
    "err_office": {
        "en": "Select an office, or select ‘I’m not sure’",
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
        "cy": "Byddwn yn rhoi cod i chi. I agor eich cais eto, ar-lein neu mewn ciosg, bydd angen y cod arnoch a’r ateb a ddewiswch yma.",
    },
    "factor_legend": {
        "en": "How do you want to prove it is you when you come back?",
        "cy": "Sut ydych chi eisiau profi mai chi sydd yno pan fyddwch yn dod yn ôl?",
    },
    "fo_pin": {"en": "A PIN that I choose", "cy": "PIN rwy’n ei ddewis"},
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
    "saved_title": {"en": "Your application has been saved", "cy": "Mae eich cais wedi’i gadw"},
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
        "cy": "I barhau, ewch i {url} ar unrhyw ffôn neu gyfrifiadur, neu defnyddiwch giosg yn {office}. Rhowch y cod a’ch {factor}.",
    },
    "fk_pin": {"en": "PIN", "cy": "PIN"},
    "fk_dob": {"en": "date of birth", "cy": "dyddiad geni"},
    "fk_phone_last3": {
        "en": "last 3 digits of your phone number",
        "cy": "3 digid olaf eich rhif ffôn",
    },
    "saved_scan": {
        "en": "Any kiosk at {office} can open this code too: hold this screen up to the kiosk’s scanner, or choose “I have a code” and type it in.",
        "cy": "Gall unrhyw giosg yn {office} agor y cod hwn hefyd: daliwch y sgrin hon o flaen sganiwr y ciosg, neu dewiswch “Mae gen i god” a’i deipio.",
    },
    "saved_continue": {"en": "Carry on now", "cy": "Parhau nawr"},
    "help_title": {
        "en": "Ask a member of staff for help",
        "cy": "Gofyn i aelod o staff am help",
    },
    "help_intro": {
        "en": "Staff at {office} will see your application and everything you have answered so far. They can help you finish it.",
        "cy": "Bydd staff yn {office} yn gweld eich cais a phopeth rydych wedi’i ateb hyd yma. Gallant eich helpu i’w orffen.",
    },
    "help_button": {"en": "Ask for help", "cy": "Gofyn am help"},
    "help_back": {"en": "Go back to your application", "cy": "Mynd yn ôl at eich cais"},
    "helped_title": {
        "en": "Your application is with our staff",
        "cy": "Mae eich cais gyda’n staff",
    },
    "helped_next": {
        "en": "A member of staff at {office} will look at your application. Take your reference with you if you visit the office, or give it to us if you phone. You can still carry on with your application here.",
        "cy": "Bydd aelod o staff yn {office} yn edrych ar eich cais. Ewch â’ch cyfeirnod gyda chi os byddwch yn ymweld â’r swyddfa, neu rhowch ef i ni os byddwch yn ffonio. Gallwch barhau â’ch cais yma o hyd.",
    },
    "service_gone_title": {
        "en": "This service is no longer available",
        "cy": "Nid yw’r gwasanaeth hwn ar gael mwyach",
    },
    "service_gone": {
        "en": "This service is no longer offered, so this application cannot be carried on. Ask a member of staff for help and give them your reference.",
        "cy": "Nid yw’r gwasanaeth hwn yn cael ei gynnig mwyach, felly ni ellir parhau â’r cais hwn. Gofynnwch i aelod o staff am help a rhowch eich cyfeirnod iddynt.",
    },
    "resume_any_title": {"en": "Continue your application", "cy": "Parhau â’ch cais"},
    "resume_any_code": {"en": "Your code", "cy": "Eich cod"},
    "resume_any_code_hint": {
        "en": "12 letters, from your kiosk slip or from when you saved, for example BCDF-GHJK-LMNP",
        "cy": "12 llythyren, o’ch slip ciosg neu o pan wnaethoch gadw, er enghraifft BCDF-GHJK-LMNP",
    },
    "resume_any_factor": {
        "en": "Your PIN, date of birth or last 3 digits of your phone number",
        "cy": "Eich PIN, eich dyddiad geni neu 3 digid olaf eich rhif ffôn",
    },
    "resume_any_factor_hint": {
        "en": "Whichever you chose when you saved, or at the kiosk. A date of birth like 27/03/1985.",
        "cy": "Pa un bynnag a ddewisoch pan wnaethoch gadw, neu yn y ciosg. Dyddiad geni fel 27/03/1985.",
    },
    # the phone's side of a staff handoff, and the one feedback question (central.feedback)
    "compare_title_staff": {
        "en": "Check with the member of staff",
        "cy": "Gwiriwch gyda’r aelod o staff",
    },
    "compare_intro_staff": {
        "en": "Read this code to the member of staff who is helping you. They will check it matches the code on their screen.",
        "cy": "Darllenwch y cod hwn i’r aelod o staff sy’n eich helpu. Byddant yn gwirio ei fod yr un fath â’r cod ar eu sgrin.",
    },
    "compare_warning_staff": {
        "en": "If nobody from our office asked you to open this code, stop: do not enter any details.",
        "cy": "Os na ofynnodd neb o’n swyddfa i chi agor y cod hwn, stopiwch: peidiwch â rhoi unrhyw fanylion.",
    },
    "confirmed_continue_staff": {
        "en": "The member of staff has confirmed",
        "cy": "Mae’r aelod o staff wedi cadarnhau",
    },
    "not_confirmed_yet_staff": {
        "en": "The member of staff has not confirmed yet. Read them the code, then try again.",
        "cy": "Nid yw’r aelod o staff wedi cadarnhau eto. Darllenwch y cod iddynt, yna rhowch gynnig arall arni.",
    },
    "fb_question": {
        "en": "Overall, how did you feel about the service you received today?",
        "cy": "Yn gyffredinol, sut oeddech chi’n teimlo am y gwasanaeth a gawsoch heddiw?",
    },
    "fb_5": {"en": "Very satisfied", "cy": "Bodlon iawn"},
    "fb_4": {"en": "Satisfied", "cy": "Bodlon"},
    "fb_3": {
        "en": "Neither satisfied or dissatisfied",
        "cy": "Ddim yn fodlon nac yn anfodlon",
    },
    "fb_2": {"en": "Dissatisfied", "cy": "Anfodlon"},
    "fb_1": {"en": "Very dissatisfied", "cy": "Anfodlon iawn"},
    "fb_improve": {
        "en": "How could we improve this service?",
        "cy": "Sut allem ni wella’r gwasanaeth hwn?",
    },
    "fb_improve_hint": {
        "en": "Do not include personal information, such as your name or National Insurance number. 500 characters at most.",
        "cy": "Peidiwch â chynnwys gwybodaeth bersonol, fel eich enw neu eich rhif Yswiriant Gwladol. 500 nod ar y mwyaf.",
    },
    "err_score": {
        "en": "Select how you felt about the service",
        "cy": "Dewiswch sut oeddech chi’n teimlo am y gwasanaeth",
    },
    "err_comment_long": {
        "en": "Your comment must be 500 characters or fewer",
        "cy": "Rhaid i’ch sylw fod yn 500 nod neu lai",
    },
    "timed_out_body": {
        "en": "Nothing happened for a while, so we ended this session to keep your information safe. If you saved your answers, open them again with your code.",
        "cy": "Ni ddigwyddodd dim am sbel, felly daethom â’r sesiwn hon i ben i gadw eich gwybodaeth yn ddiogel. Os gwnaethoch gadw eich atebion, agorwch nhw eto gyda’ch cod.",
    },
}

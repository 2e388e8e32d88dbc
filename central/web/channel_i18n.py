"""Interface strings, English and Welsh, for the phone's side of a staff handoff (the compare page
says "the member of staff", not "the kiosk") and for the one feedback question (the 5-point
satisfaction scale, :mod:`central.feedback`). Added to :data:`central.web.i18n.STRINGS` when
imported; a key that is already there is a bug and stops the import."""

from __future__ import annotations

from central.web.i18n import STRINGS

CHANNEL_STRINGS: dict[str, dict[str, str]] = {
    "compare_title_staff": {
        "en": "Check with the member of staff",
        "cy": "Gwiriwch gyda'r aelod o staff",
    },
    "compare_intro_staff": {
        "en": "Read this code to the member of staff who is helping you. They will check it matches the code on their screen.",
        "cy": "Darllenwch y cod hwn i'r aelod o staff sy'n eich helpu. Byddant yn gwirio ei fod yr un fath â'r cod ar eu sgrin.",
    },
    "compare_warning_staff": {
        "en": "If nobody from our office asked you to open this code, stop: do not enter any details.",
        "cy": "Os na ofynnodd neb o'n swyddfa i chi agor y cod hwn, stopiwch: peidiwch â rhoi unrhyw fanylion.",
    },
    "confirmed_continue_staff": {
        "en": "The member of staff has confirmed",
        "cy": "Mae'r aelod o staff wedi cadarnhau",
    },
    "not_confirmed_yet_staff": {
        "en": "The member of staff has not confirmed yet. Read them the code, then try again.",
        "cy": "Nid yw'r aelod o staff wedi cadarnhau eto. Darllenwch y cod iddynt, yna rhowch gynnig arall arni.",
    },
    "fb_question": {
        "en": "Overall, how did you feel about the service you received today?",
        "cy": "Yn gyffredinol, sut oeddech chi'n teimlo am y gwasanaeth a gawsoch heddiw?",
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
        "cy": "Sut allem ni wella'r gwasanaeth hwn?",
    },
    "fb_improve_hint": {
        "en": "Do not include personal information, such as your name or National Insurance number. 500 characters at most.",
        "cy": "Peidiwch â chynnwys gwybodaeth bersonol, fel eich enw neu eich rhif Yswiriant Gwladol. 500 nod ar y mwyaf.",
    },
    "err_score": {
        "en": "Select how you felt about the service",
        "cy": "Dewiswch sut oeddech chi'n teimlo am y gwasanaeth",
    },
    "err_comment_long": {
        "en": "Your comment must be 500 characters or fewer",
        "cy": "Rhaid i'ch sylw fod yn 500 nod neu lai",
    },
    "timed_out_body": {
        "en": "Nothing happened for a while, so we ended this session to keep your information safe. If you saved your answers, open them again with your code.",
        "cy": "Ni ddigwyddodd dim am sbel, felly daethom â'r sesiwn hon i ben i gadw eich gwybodaeth yn ddiogel. Os gwnaethoch gadw eich atebion, agorwch nhw eto gyda'ch cod.",
    },
}

_taken = set(CHANNEL_STRINGS) & set(STRINGS)
if _taken:
    raise RuntimeError(f"interface strings defined twice: {sorted(_taken)}")
STRINGS.update(CHANNEL_STRINGS)

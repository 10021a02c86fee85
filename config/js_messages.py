"""The Korean messages our front-end scripts show (``static/js/*.js``), so that they are in the
project catalogue (``locale/``) like every other interface string.

The scripts write them in Korean and pass them through ``gettext()`` / ``interpolate()``
(``static/js/app.js``: the same names as Django's JavaScript catalogue). On a page in another
language, ``base.html`` embeds their translations as JSON (``js_messages`` below); on a Korean
page nothing is embedded and the scripts show their own text. ``tests/i18n/test_catalogue.py``
checks that every ``gettext("…")`` in the scripts is listed here and that no other Korean is
left in them. See docs/decisions/020-languages.md.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

MESSAGES = (
    # evidence.js: uploads
    gettext_noop("%(n)s바이트"),
    gettext_noop("%(name)s 올리는 중"),
    gettext_noop("대기 중"),
    gettext_noop("✖ 거절"),
    gettext_noop("✖ 실패"),
    gettext_noop("확인 중…"),
    gettext_noop(
        "'%(name)s': 파일 크기(%(size)s)가 파일당 한도(%(limit)s)를 넘습니다. 올리지 않았습니다."
    ),
    gettext_noop("'%(name)s': 빈 파일(0바이트)입니다. 올리지 않았습니다."),
    gettext_noop("대상을 찾을 수 없습니다. 화면을 새로 고치십시오."),
    gettext_noop(
        "올리지 못했습니다 (응답 %(status)s). 로그인이 만료되었을 수 있습니다. "
        "화면을 새로 고친 뒤 다시 시도하십시오."
    ),
    gettext_noop("'%(name)s': 네트워크 오류로 올리지 못했습니다. 다시 시도하십시오."),
    # sheet.js: autosave
    gettext_noop("계산 중…"),
    gettext_noop("입력 중… (잠시 후 자동 저장)"),
    gettext_noop("저장 중…"),
    gettext_noop("— (저장되지 않음)"),
    gettext_noop("로그인이 만료되어 저장하지 못했습니다. 다시 로그인한 뒤 입력하십시오."),
    gettext_noop("서버가 잠시 응답할 수 없습니다."),
    gettext_noop("저장하지 못했습니다: %(reason)s %(seconds)s초 뒤 자동으로 다시 저장합니다."),
    gettext_noop(
        "저장하지 못했습니다 (응답 %(status)s). 배정이 바뀌었거나 로그인이 만료되었을 수 "
        "있습니다. 화면을 새로 고치십시오."
    ),
    gettext_noop(
        "네트워크 오류로 저장하지 못했습니다. 연결을 확인한 뒤 다시 입력하거나 저장을 누르십시오."
    ),
)


def js_messages(request) -> dict:
    """Context processor: ``js_messages``, {Korean: translation}, on a page not in Korean."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language.split("-")[0] == settings.LANGUAGE_CODE.split("-")[0]:
        return {}
    return {"js_messages": {message: gettext(message) for message in MESSAGES}}

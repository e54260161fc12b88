"""User-facing wording: Chinese source text, translated through Flask-Babel's gettext catalogs.

Text is written in Chinese (the default audience) and its English lives in the gettext catalog
``certsvc/translations/en/LC_MESSAGES/messages.po`` (msgid = the Chinese). Pages write
``t("中文")`` (``certsvc.web.language``); slugs (statuses, reasons, verdict steps, error codes …)
are shown through ``LABELS``: kind -> slug -> Chinese, each translated in its kind's context
(``pgettext``, msgctxt = the kind), so one Chinese word can have different English in different
places (a verdict headline is capitalised, a status label is not). Certificate values (title,
level, series, specialty, route) are kinds too, keyed by their Chinese value.

Outside a request (the command line, e-mails, services answering in both languages) the same
catalog is read through Flask-Babel with ``force_locale`` (:func:`in_language`). The catalog is
regenerated from the sources with ``scripts/i18n`` (docs/i18n.md); a test fails when a string
has no English or the catalog holds one nothing uses.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import flask_babel
from babel import Locale
from flask import Flask, g, has_app_context

LANGUAGES = ("zh", "en")
SOURCE_LANGUAGE = "zh"
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
LOCALES = {language: Locale.parse(language) for language in LANGUAGES}

babel = flask_babel.Babel()
# Where certsvc.web.language keeps the request's language and translations (on flask.g).
REQUEST_CATALOG = "certsvc_catalog"


def N_(context: str, text: str) -> str:  # noqa: N802 - the gettext convention for "mark, do not translate"
    """Marks ``text`` for the catalog under ``context`` (``pybabel extract -k N_:1c,2``); returns it as is."""
    return text


# kind -> slug -> Chinese; the English is the catalog's entry with msgctxt = kind.
LABELS: dict[str, dict[str, str]] = {
    "status": {
        "valid": N_("status", "有效"),
        "superseded": N_("status", "已被取代"),
        "suspended": N_("status", "暂停"),
        "revoked": N_("status", "已撤销"),
    },
    "request": {
        "pending": N_("request", "待审核"),
        "approved": N_("request", "已批准"),
        "rejected": N_("request", "已驳回"),
    },
    "reissue": {
        "lost": N_("reissue", "遗失"),
        "damaged": N_("reissue", "损毁"),
        "correction": N_("reissue", "信息更正"),
    },
    "field": {
        "name": N_("field", "姓名"),
        "employer": N_("field", "工作单位"),
    },
    "role": {
        "operator": N_("role", "经办员"),
        "reviewer": N_("role", "审核员"),
        "auditor": N_("role", "审计员"),
        "server-operator": N_("role", "系统运维（命令行）"),
        "holder": N_("role", "持证人"),
        "system": N_("role", "系统"),
        "employer": N_("role", "用人单位"),
    },
    "action": {
        "suspend": N_("action", "暂停"),
        "reinstate": N_("action", "恢复"),
        "revoke": N_("action", "撤销"),
    },
    # the dashboard's chart series
    "series": {
        "issued": N_("series", "发证"),
        "reissued": N_("series", "补发"),
        "revoked": N_("series", "撤销"),
        "verified": N_("series", "查验"),
    },
    # reason categories of status changes, and "reissued" for superseded versions
    "reason": {
        "investigation": N_("reason", "立案调查中"),
        "complaint": N_("reason", "收到举报待核实"),
        "cleared": N_("reason", "调查结束，未发现问题"),
        "mistaken": N_("reason", "暂停有误"),
        "overturned": N_("reason", "撤销决定经复查或复议撤回"),
        "fraud": N_("reason", "弄虚作假、骗取职称"),
        "misconduct": N_("reason", "学术不端或违法违纪"),
        "procedure": N_("reason", "评审程序违规"),
        "error": N_("reason", "发证错误"),
        "other": N_("reason", "其他"),
        "reissued": N_("reason", "补发"),
        "lost": N_("reason", "遗失补发"),
        "damaged": N_("reason", "损毁补发"),
        "correction": N_("reason", "更正补发"),
    },
    # Verdicts: the headline and explanation of each outcome (the API's codes) and of the wordings
    # pages give an ``invalid`` outcome by its step (``certsvc.verification.services.wording``):
    # forgery only when a signature fails, "no match" for a number and name, "unreadable" otherwise.
    "outcome": {
        "valid": N_("outcome", "有效"),
        "superseded": N_("outcome", "已被新版本取代"),
        "suspended": N_("outcome", "暂停"),
        "revoked": N_("outcome", "已撤销"),
        "invalid": N_("outcome", "无效"),
        "unknown": N_("outcome", "无法确认"),
        "forged": N_("outcome", "伪造或被篡改"),
        "no-match": N_("outcome", "未找到匹配的证书"),
        "unreadable": N_("outcome", "无法识别"),
        "unreadable-file": N_("outcome", "此文件不含 certsvc 证书"),
    },
    "explanation": {
        "valid": N_("explanation", "证书真实有效，为当前版本"),
        "superseded": N_("explanation", "此版本已被补发的新版本取代，请以新版本为准"),
        "suspended": N_("explanation", "证书已被发证机构暂停使用"),
        "revoked": N_("explanation", "证书已被发证机构撤销"),
        "invalid": N_("explanation", "此证书不能采信，原因见下"),
        "unknown": N_("explanation", "签名真实，但暂时无法确认证书状态"),
        "forged": N_("explanation", "签名与证书内容不符，不能采信"),
        "no-match": N_("explanation", "请核对证书编号和姓名"),
        "unreadable": N_("explanation", "这不是 certsvc 证书的二维码或证书内容"),
        "unreadable-file": N_("explanation", "请上传证书的 PDF 或 PNG 文件，或正对二维码拍摄一张清晰的照片"),
    },
    "step": {
        "parse": N_("step", "无法识别的二维码或证书内容"),
        "key-unknown": N_("step", "签名密钥不属于本系统"),
        "signature": N_("step", "签名与内容不符，内容被篡改或伪造"),
        "claims": N_("step", "证书内容格式不正确"),
        "key-window": N_("step", "签名时间不在签名密钥的有效期内"),
        "key-compromised": N_("step", "签名密钥已泄露，此后的签名无效"),
        "not-registered": N_("step", "发证机构没有此证书的记录"),
        "registry-mismatch": N_("step", "与发证机构的记录不一致"),
        "not-found": N_("step", "未找到匹配的证书 — 请核对证书编号和姓名"),
        "registry-unavailable": N_("step", "暂时无法查询证书登记库"),
        "status": N_("step", "证书状态见上"),
        "pdf-signature": N_(
            "step", "PDF 文件的电子签章无效：文件在签章后被修改，或签章不是本系统发证机构所盖"
        ),
    },
    # The help page (/help): what to do on each verdict.
    "help_do": {
        "valid": N_("help_do", "可以采信。"),
        "superseded": N_("help_do", "证书补发过，请让持证人提供最新版本。"),
        "suspended": N_("help_do", "暂停期间证书不能使用，请联系发证机构了解情况。"),
        "revoked": N_("help_do", "证书已失效，不能采信。"),
        "forged": N_("help_do", "签名校验失败，证书被伪造或改动过，不要采信。"),
        "no-match": N_(
            "help_do", "可能是编号或姓名输入有误（姓名须为全名），请核对后再查；仍不相符时不要采信。"
        ),
        "unreadable-file": N_("help_do", "如果上传的确实是证书，请改拍证书上的二维码，或按证书编号查验。"),
        "invalid": N_("help_do", "页面会说明原因（例如签名密钥已泄露）。不要采信。"),
        "unknown": N_("help_do", "签名真实，但暂时无法确认状态，请稍后再查。"),
    },
    # The console's import preview and lists (issue 20): the intake rules (certsvc.domain.rules
    # RULES and WARNINGS) by name and the fix each asks for, the columns of a results file
    # (certsvc.domain.record.FIELD_LABELS_ZH; a test keeps them equal), what an import would do to
    # a row (certsvc.certificates.preview.VERDICTS), who imported a batch (listing.Actor).
    "rule": {
        "attendance": N_("rule", "出席人数"),
        "vote": N_("rule", "表决票数"),
        "publicity": N_("rule", "公示期"),
        "order": N_("rule", "日期先后"),
        "jurisdiction": N_("rule", "发证权限"),
        "committee": N_("rule", "评委会登记"),
        "identity": N_("rule", "身份信息"),
        "duplicate": N_("rule", "重复"),
        "form": N_("rule", "填写格式"),
        "integrity": N_("rule", "诚信档案"),
        "deadline": N_("rule", "确认时限"),
        "route": N_("rule", "取得方式"),
    },
    "rule_fix": {
        "attendance": N_("rule_fix", "核对出席人数和评委会人数：出席人数应达到评委会登记人数的三分之二。"),
        "vote": N_("rule_fix", "核对同意票数：应达到出席人数的三分之二，且不超过出席人数。"),
        "publicity": N_("rule_fix", "核对公示开始和结束日期：公示期不少于 5 个工作日。"),
        "order": N_(
            "rule_fix", "核对日期先后：评审日期不晚于公示开始，公示结束早于确认日期，且都不晚于今天。"
        ),
        "jurisdiction": N_("rule_fix", "只导入本机构有权确认的结果：核对发证机构代码、级别和职称系列。"),
        "committee": N_(
            "rule_fix", "核对评委会代码、名称、人数、职称系列、专业和级别，应与“登记信息”页一致。"
        ),
        "identity": N_("rule_fix", "核对身份证号和姓名；与已有证书的姓名不同时，须先由原发证机构更正。"),
        "duplicate": N_("rule_fix", "删除重复的行；已持有同一职称的人不能再次发证。"),
        "form": N_(
            "rule_fix", "按模板填写该单元格：日期写作 2024-11-20，人数只写数字，开头不要有 = + - @ 等符号。"
        ),
        "integrity": N_("rule_fix", "此人在诚信档案记录期内，不能取得职称；如有异议，请联系作出决定的机构。"),
        "deadline": N_("rule_fix", "已受理，无需修改；今后请在公示结束后 15 个工作日内确认。"),
        "route": N_(
            "rule_fix",
            "核对“取得方式”列及该方式所需的列（学历、毕业日期、原证书、考试信息等），可下载该方式的模板对照填写。",
        ),
    },
    "column": {
        "confirmation_doc_no": N_("column", "确认文号"),
        "confirmation_date": N_("column", "确认日期"),
        "authority_code": N_("column", "发证机构代码"),
        "committee_code": N_("column", "评委会代码"),
        "committee_name": N_("column", "评委会名称"),
        "committee_size": N_("column", "评委会人数"),
        "meeting_date": N_("column", "评审日期"),
        "publicity_start": N_("column", "公示开始日期"),
        "publicity_end": N_("column", "公示结束日期"),
        "series": N_("column", "职称系列"),
        "specialty": N_("column", "专业"),
        "name": N_("column", "姓名"),
        "id_number": N_("column", "身份证号"),
        "employer": N_("column", "工作单位"),
        "title": N_("column", "资格名称"),
        "level": N_("column", "级别"),
        "attendees": N_("column", "出席人数"),
        "votes_for": N_("column", "同意票数"),
        "route": N_("column", "取得方式"),
        "education": N_("column", "学历"),
        "graduation_date": N_("column", "毕业日期"),
        "work_start_date": N_("column", "参加工作日期"),
        "employment_start_date": N_("column", "劳动关系建立日期"),
        "original_certificate_number": N_("column", "原证书编号"),
        "original_issuer": N_("column", "原发证机构"),
        "original_date": N_("column", "原取得时间"),
        "original_route": N_("column", "原取得方式"),
        "exam_name": N_("column", "考试名称"),
        "exam_date": N_("column", "考试日期"),
        "exam_authority": N_("column", "考试组织机构"),
        "exam_certificate_number": N_("column", "资格证书编号"),
    },
    "verdict": {
        "issue": N_("verdict", "将发证"),
        "ready": N_("verdict", "本行合格"),
        "already": N_("verdict", "此前已发证"),
        "refused": N_("verdict", "不合格"),
    },
    "actor": {
        "user": N_("actor", "工作人员"),
        "api-token": N_("actor", "接口令牌"),
        "cli": N_("actor", "命令行"),
        "other": N_("actor", "其他"),
    },
    # The registry (certsvc.domain: AuthorityKind.label_zh, registry.ORGANISATION_ZH; a test keeps
    # them equal).
    "authority_kind": {
        "province": N_("authority_kind", "省级人力资源社会保障部门"),
        "city": N_("authority_kind", "市级人力资源社会保障部门"),
        "county": N_("authority_kind", "区县人力资源社会保障部门"),
        "industry": N_("authority_kind", "行业主管部门"),
        "self-review": N_("authority_kind", "自主评审单位"),
    },
    "organisation": {
        "series": N_("organisation", "按系列组建"),
        "specialty": N_("organisation", "按专业组建"),
        "self-review": N_("organisation", "自主评审"),
    },
    # The two-person rule, the action log, signing keys in the console and the annual figures
    # (issue 20).
    "audit_action": {
        "import": N_("audit_action", "导入发证"),
        "reissue": N_("audit_action", "窗口补发"),
        "reissue-request": N_("audit_action", "补发申请"),
        "reissue-approve": N_("audit_action", "批准补发申请"),
        "reissue-reject": N_("audit_action", "驳回补发申请"),
        "suspend": N_("audit_action", "暂停"),
        "reinstate": N_("audit_action", "恢复"),
        "revoke": N_("audit_action", "撤销"),
        "propose": N_("audit_action", "提出审批"),
        "approve": N_("audit_action", "批准"),
        "reject": N_("audit_action", "驳回"),
        "withdraw": N_("audit_action", "撤回申请"),
        "key-rotate": N_("audit_action", "轮换签名密钥"),
        "key-compromise": N_("audit_action", "标记密钥泄露"),
        "registry-update": N_("audit_action", "更新登记信息"),
        "integrity-open": N_("audit_action", "记入诚信档案"),
        "integrity-end": N_("audit_action", "结束诚信档案记录"),
        "activation-link": N_("audit_action", "生成激活链接"),
        "activation-code": N_("audit_action", "生成激活码"),
        "activation-email": N_("audit_action", "邮件发送激活链接"),
        "staff-create": N_("audit_action", "创建工作人员账号"),
        "token-create": N_("audit_action", "创建 API 令牌"),
    },
    "audit_target": {
        "certificate": N_("audit_target", "证书"),
        "batch": N_("audit_target", "批次"),
        "proposal": N_("audit_target", "审批"),
        "key": N_("audit_target", "签名密钥"),
        "registry": N_("audit_target", "登记信息"),
        "record": N_("audit_target", "诚信档案记录"),
        "request": N_("audit_target", "补发申请"),
        "account": N_("audit_target", "账号"),
    },
    "proposal": {
        "pending": N_("proposal", "待审批"),
        "approved": N_("proposal", "已批准"),
        "rejected": N_("proposal", "已驳回"),
        "withdrawn": N_("proposal", "已撤回"),
    },
    "proposal_action": {
        "suspend": N_("proposal_action", "暂停证书"),
        "reinstate": N_("proposal_action", "恢复证书"),
        "revoke": N_("proposal_action", "撤销证书"),
        "key-rotate": N_("proposal_action", "轮换签名密钥"),
        "key-compromise": N_("proposal_action", "标记密钥泄露"),
        "import": N_("proposal_action", "大批量导入"),
    },
    "key_status": {
        "active": N_("key_status", "使用中"),
        "retired": N_("key_status", "已停用"),
        "compromised": N_("key_status", "已泄露"),
    },
    "annual": {
        "issued": N_("annual", "发证"),
        "reissued": N_("annual", "补发"),
        "revoked": N_("annual", "撤销"),
        "pending": N_("annual", "待处理补发申请"),
    },
    "breakdown": {
        "level": N_("breakdown", "按级别"),
        "series": N_("breakdown", "按系列"),
        "route": N_("breakdown", "按取得方式"),
        "committee": N_("breakdown", "按评委会"),
    },
    # The facts of how a title was obtained (certsvc.domain.routes.ACQUISITION_LABELS_ZH; a test
    # keeps them equal).
    "acquisition": {
        "committee": N_("acquisition", "评审委员会"),
        "review_date": N_("acquisition", "评审通过日期"),
        "education": N_("acquisition", "学历"),
        "original_certificate_number": N_("acquisition", "原证书编号"),
        "original_issuer": N_("acquisition", "原发证机构"),
        "original_date": N_("acquisition", "原取得时间"),
        "original_route": N_("acquisition", "原取得方式"),
        "exam_name": N_("acquisition", "考试名称"),
        "exam_date": N_("acquisition", "考试日期"),
        "exam_authority": N_("acquisition", "考试组织机构"),
        "exam_certificate_number": N_("acquisition", "资格证书编号"),
    },
    # holder share links (亮证) and who opened them
    "share": {
        "active": N_("share", "生效中"),
        "ended": N_("share", "已结束"),
        "expired": N_("share", "已过期"),
    },
    "browser": {
        "WeChat": N_("browser", "微信"),
        "DingTalk": N_("browser", "钉钉"),
        "QQ": N_("browser", "QQ"),
        "Edge": N_("browser", "Edge"),
        "Opera": N_("browser", "Opera"),
        "Firefox": N_("browser", "Firefox"),
        "Chrome": N_("browser", "Chrome"),
        "Safari": N_("browser", "Safari"),
        "program": N_("browser", "程序（如链接预览）"),
        "other": N_("browser", "其他浏览器"),
        "unknown": N_("browser", "未知"),
    },
    "device": {
        "phone": N_("device", "手机"),
        "tablet": N_("device", "平板"),
        "computer": N_("device", "电脑"),
        "other": N_("device", "其他"),
        "unknown": N_("device", "未知"),
    },
    # Certificate values, keyed by the Chinese printed on the certificate; English pages show the
    # standard English name beside it. A value missing here is shown in Chinese.
    "level": {
        "正高级": N_("level", "正高级"),
        "副高级": N_("level", "副高级"),
        "中级": N_("level", "中级"),
        "助理级": N_("level", "助理级"),
        "员级": N_("level", "员级"),
    },
    "title": {
        "正高级工程师": N_("title", "正高级工程师"),
        "高级工程师": N_("title", "高级工程师"),
        "工程师": N_("title", "工程师"),
        "助理工程师": N_("title", "助理工程师"),
        "技术员": N_("title", "技术员"),
    },
    "title_series": {
        "工程技术": N_("title_series", "工程技术"),
    },
    "specialty": {
        "数字技术": N_("specialty", "数字技术"),
        "电子信息": N_("specialty", "电子信息"),
        "智能制造": N_("specialty", "智能制造"),
    },
    "route": {
        "评审": N_("route", "评审"),
        "认定": N_("route", "认定"),
        "重新确认": N_("route", "重新确认"),
        "考试": N_("route", "考试"),
    },
    # Error pages: the title of each error code (``CertsvcError.code``, and the slugs of the HTTP
    # errors werkzeug raises); the catalog's English is the API problem's ``title``.
    "error": {
        "activation-failed": N_("error", "激活失败"),
        "authentication-required": N_("error", "需要登录"),
        "bad-header": N_("error", "文件的列标题无法使用"),
        "bad-request": N_("error", "请求有误"),
        "calendar-not-covered": N_("error", "日期超出官方节假日安排的范围"),
        "certificate-number-check": N_("error", "证书编号有误"),
        "configuration": N_("error", "配置无效"),
        "conflict": N_("error", "冲突"),
        "csrf": N_("error", "表单已过期"),
        "document": N_("error", "证书文件生成失败"),
        "font-not-found": N_("error", "未找到中文字体"),
        "forbidden": N_("error", "无权访问"),
        "id-number-birth-date": N_("error", "身份证号码无效"),
        "id-number-charset": N_("error", "身份证号码无效"),
        "id-number-check": N_("error", "身份证号码无效"),
        "id-number-length": N_("error", "身份证号码无效"),
        "implausible-name": N_("error", "不是有效的姓名"),
        "intake": N_("error", "结果文件未被接受"),
        "internal": N_("error", "内部错误"),
        "internal-server-error": N_("error", "内部错误"),
        "invalid-certificate-number": N_("error", "证书编号格式不正确"),
        "invalid-document": N_("error", "证书文件无法打印"),
        "invalid-field": N_("error", "请求字段有误"),
        "invalid-id-number": N_("error", "身份证号码无效"),
        "invalid-key-set": N_("error", "公钥集无效"),
        "invalid-registry": N_("error", "登记册无效"),
        "invalid-status-list": N_("error", "状态列表无效"),
        "key-store": N_("error", "密钥库错误"),
        "ledger": N_("error", "账本错误"),
        "ledger-audit": N_("error", "账本审计未通过"),
        "ledger-checkpoint": N_("error", "签名检查点无效"),
        "ledger-entry": N_("error", "账本条目被拒绝"),
        "ledger-proof": N_("error", "默克尔证明不成立"),
        "ledger-range": N_("error", "超出账本范围"),
        "login-failed": N_("error", "登录失败"),
        "malformed": N_("error", "凭证格式不正确"),
        "method-not-allowed": N_("error", "不支持此请求方式"),
        "not-found": N_("error", "未找到"),
        "rate-limit-store-unavailable": N_("error", "服务暂时不可用"),
        "rate-limited": N_("error", "请求过于频繁"),
        "request-entity-too-large": N_("error", "上传的内容过大"),
        "service-unavailable": N_("error", "服务暂时不可用"),
        "self-approval": N_("error", "须由另一人批准"),
        "signing": N_("error", "签名失败"),
        "too-many-requests": N_("error", "请求过于频繁"),
        "unauthorized": N_("error", "需要登录"),
        "unreadable-document": N_("error", "无法读取该证书文件"),
        "unreadable-file": N_("error", "无法读取该文件"),
        "unsupported-media-type": N_("error", "不支持的内容类型"),
        "verification": N_("error", "查验失败"),
        "workflow": N_("error", "当前状态下不能进行此操作"),
    },
    # What an error page says below the title when the error carries no words of its own (the
    # HTTP errors werkzeug and the extensions raise).
    "error_detail": {
        "bad-request": N_("error_detail", "无法处理此请求，请返回上一页重试。"),
        "csrf": N_("error_detail", "表单已过期或不是从本站提交的。请返回上一页，刷新后重新提交。"),
        "forbidden": N_("error_detail", "您的账号无权打开此页面。"),
        "internal": N_("error_detail", "系统出现错误，已记录，请稍后再试。"),
        "internal-server-error": N_("error_detail", "系统出现错误，已记录，请稍后再试。"),
        "method-not-allowed": N_("error_detail", "此网址不接受这种请求，请从本站页面上的链接或按钮进入。"),
        "not-found": N_("error_detail", "此网址没有页面，请检查网址是否输入正确。"),
        "request-entity-too-large": N_("error_detail", "上传的文件或内容过大，请缩小后再试。"),
        "too-many-requests": N_("error_detail", "请求过于频繁，请在 %(seconds)s 秒后再试。"),
        "service-unavailable": N_("error_detail", "服务暂时不可用，请稍后再试。"),
        "rate-limit-store-unavailable": N_("error_detail", "服务暂时无法核对访问频率限制，请几秒后重试。"),
        "unauthorized": N_("error_detail", "请先登录。"),
        "unsupported-media-type": N_("error_detail", "不支持所提交内容的类型。"),
    },
}


# --- lookups -------------------------------------------------------------------------------------
def init_app(app: Flask, locale_selector: Callable[[], Locale | str]) -> None:
    """Flask-Babel for ``app``: the catalogs in ``certsvc/translations``, Chinese by default."""
    babel.init_app(
        app,
        default_locale=SOURCE_LANGUAGE,
        default_translation_directories=str(TRANSLATIONS_DIR),
        default_domain="messages",
        locale_selector=locale_selector,
    )


@functools.cache
def _catalog_app() -> Flask:
    """A bare application carrying only Flask-Babel, for text wanted outside any application (the
    command line): Flask-Babel reads catalogs only inside an application context."""
    app = Flask("certsvc.texts")
    init_app(app, lambda: LOCALES[SOURCE_LANGUAGE])
    return app


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Text in ``language`` for the block, inside a request (an e-mail to someone else) or outside
    any application (the command line): Flask-Babel's ``force_locale``."""
    locale = LOCALES[language]
    if has_app_context():
        remembered = g.pop(REQUEST_CATALOG, None)
        try:
            with flask_babel.force_locale(locale):
                yield
        finally:
            g.pop(REQUEST_CATALOG, None)
            if remembered is not None:
                setattr(g, REQUEST_CATALOG, remembered)
    else:
        with _catalog_app().app_context(), flask_babel.force_locale(locale):
            yield


@functools.lru_cache(maxsize=4096)
def _translated(text: str, language: str, context: str | None) -> str:
    # Catalogs do not change while the process runs, so each lookup is remembered: services that
    # answer in both languages (the verification API) pay for force_locale once per text.
    if language == SOURCE_LANGUAGE:
        return text
    with in_language(language):
        return str(flask_babel.pgettext(context, text) if context else flask_babel.gettext(text))


def translate(text: str, language: str, *, context: str | None = None, **values: Any) -> str:
    """``text`` (Chinese) in ``language``; ``%(name)s`` placeholders are filled from ``values``."""
    translated = _translated(text, language, context)
    return translated % values if values else translated


def source_text(kind: str, slug: str) -> str:
    """The Chinese of a slug (the slug itself for certificate values and unknown slugs)."""
    return LABELS.get(kind, {}).get(slug, slug)


def label(kind: str, slug: str | None, language: str) -> str:
    """The display label of a slug (a status, a reason, a verdict step …) in ``language``."""
    if slug is None:
        return ""
    return translate(source_text(kind, slug), language, context=kind)


def bilingual(kind: str, slug: str) -> tuple[str, str]:
    """(Chinese, English) of a label, for answers that carry both (API, command line, e-mails)."""
    return label(kind, slug, "zh"), label(kind, slug, "en")


def both(text: str, **values: Any) -> tuple[str, str]:
    """(Chinese, English) of a text, for answers that carry both (e-mails, notifications)."""
    return translate(text, "zh", **values), translate(text, "en", **values)

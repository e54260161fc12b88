"""Bilingual (zh-CN, en) wording of verdicts, reasons and page labels.

Kept as data in one place so the page, the API and the command line say exactly the same thing.
"""

from __future__ import annotations

import functools

# outcome -> (headline zh, headline en, explanation zh, explanation en)
HEADLINES: dict[str, tuple[str, str, str, str]] = {
    "valid": ("有效", "Valid", "证书真实有效，为当前版本", "Genuine and current"),
    "superseded": (
        "已被新版本取代",
        "Superseded",
        "此版本已被补发的新版本取代，请以新版本为准",
        "A newer version of this certificate exists",
    ),
    "suspended": ("暂停", "Suspended", "证书已被发证机构暂停使用", "The issuing authority has suspended it"),
    "revoked": ("已撤销", "Revoked", "证书已被发证机构撤销", "The issuing authority has revoked it"),
    "invalid": ("无效", "Invalid", "证书伪造、被篡改或无法识别", "Forged, altered or unreadable"),
    "unknown": (
        "无法确认",
        "Unknown",
        "签名真实，但暂时无法确认证书状态",
        "Authentic signature, but its status cannot be established",
    ),
}

# verdict step -> (zh, en): why the verdict is what it is
STEPS: dict[str, tuple[str, str]] = {
    "parse": ("无法识别的二维码或证书内容", "Not a certificate QR code or credential"),
    "key-unknown": ("签名密钥不属于本系统", "Signed by a key this service never used"),
    "signature": ("签名与内容不符，内容被篡改或伪造", "The signature does not match: altered or forged"),
    "claims": ("证书内容格式不正确", "The credential's contents are malformed"),
    "key-window": ("签名时间不在签名密钥的有效期内", "Signed outside its key's validity period"),
    "key-compromised": ("签名密钥已泄露，此后的签名无效", "Signed after its key was reported compromised"),
    "not-registered": ("发证机构没有此证书的记录", "The issuing authority has no record of it"),
    "registry-mismatch": ("与发证机构的记录不一致", "It differs from the issuing authority's record"),
    "not-found": (
        "没有与该证书编号和姓名相符的证书",
        "No certificate matches this number and name",
    ),
    "registry-unavailable": (
        "暂时无法查询证书登记库",
        "The certificate registry cannot be reached right now",
    ),
    "status": ("证书状态见上", "See the status above"),
}

# reissue reasons -> (zh, en); revocation and suspension categories come from the workflow's own table
REISSUE_REASONS: dict[str, tuple[str, str]] = {
    "lost": ("遗失补发", "Reissued after loss"),
    "damaged": ("损毁补发", "Reissued after damage"),
    "correction": ("更正补发", "Reissued to correct an error"),
}


# page labels -> (zh, en)
LABELS: dict[str, tuple[str, str]] = {
    "site": ("职称电子证书查验", "Title certificate verification"),
    "start_lead": (
        "扫描证书上的二维码即可查验。也可以输入证书编号和持证人姓名，或上传证书文件、二维码照片。",
        "Scan the QR code on the certificate to verify it, or type its number and the holder's name, "
        "or upload the certificate file or a photo of its QR code.",
    ),
    "by_number": ("按证书编号查验", "Verify by certificate number"),
    "number": ("证书编号", "Certificate number"),
    "name": ("持证人姓名（全名）", "Holder's full name"),
    "verify": ("查验", "Verify"),
    "upload": ("上传证书或拍摄二维码", "Upload the certificate or photograph its QR code"),
    "upload_hint": (
        "PNG、PDF 证书文件，或手机拍摄的二维码照片",
        "A PNG/PDF certificate, or a phone photo of the QR",
    ),
    "file": ("选择文件或拍照", "Choose a file or take a photo"),
    "bulk": ("批量查验（用人单位）", "Bulk verification (employers)"),
    "bulk_lead": (
        "每行一项：二维码内容（网址），或“证书编号,姓名”。也可上传 CSV 文件"
        "（列：qr，或 certificate_number,name / 证书编号,姓名）。",
        "One item per line: the QR text (URL), or 'certificate number,name'. Or upload a CSV file "
        "(columns: qr, or certificate_number,name).",
    ),
    "bulk_items": ("查验内容", "Items to verify"),
    "csv": ("CSV 文件", "CSV file"),
    "results": ("查验结果", "Results"),
    "line": ("行", "Line"),
    "result": ("结果", "Result"),
    "certificate": ("证书", "Certificate"),
    "certificate_number": ("证书编号", "Certificate number"),
    "version": ("版本", "Version"),
    "holder": ("持证人", "Holder"),
    "title": ("资格名称", "Title"),
    "level": ("级别", "Level"),
    "series": ("系列", "Series"),
    "specialty": ("专业", "Specialty"),
    "obtained": ("取得资格日期", "Obtained on"),
    "issued_at": ("本版本签发时间", "This version signed"),
    "issuer": ("发证机构", "Issuing authority"),
    "status_effective": ("生效日期", "Effective"),
    "status_reason": ("原因", "Reason"),
    "status_doc": ("文件编号", "Document number"),
    "newer_version": ("最新版本", "Newest version"),
    "newer_issued": ("最新版本签发时间", "Newest version signed"),
    "technical": ("技术细节（账本证明）", "Technical details (ledger evidence)"),
    "ledger_index": ("账本条目序号", "Ledger entry index"),
    "leaf_hash": ("叶哈希", "Leaf hash"),
    "tree_size": ("检查点树大小", "Checkpoint tree size"),
    "root": ("树根哈希", "Tree root hash"),
    "inclusion_proof": ("包含证明", "Inclusion proof"),
    "checkpoint": ("签名检查点", "Signed checkpoint"),
    "kid": ("签名密钥", "Signing key"),
    "step": ("判定依据", "Decided at step"),
    "checked_at": ("查验时间", "Checked at"),
    "no_evidence": ("暂无账本证明", "No ledger evidence available"),
    "confirm": ("核对持证人", "Confirm the holder"),
    "confirm_lead": (
        "输入面前这位持证人的全名或身份证号码，系统只回答“相符”或“不相符”，不会显示登记的信息。",
        "Type the full name or ID number of the person in front of you. The answer is only "
        "'match' or 'no match'; the stored data is never shown.",
    ),
    "confirm_claim": ("全名或身份证号码", "Full name or ID number"),
    "confirm_button": ("核对", "Check"),
    "match": ("相符：与登记的持证人一致", "Match: this is the registered holder"),
    "no_match": ("不相符：与登记的持证人不一致", "No match: not the registered holder"),
    "masked_note": (
        "为保护个人信息，姓名部分隐去，不显示身份证号码。",
        "Names are masked and ID numbers never shown.",
    ),
    "again": ("查验其他证书", "Verify another certificate"),
    "switch": ("English", "中文"),
    "too_many": ("最多 {n} 项", "At most {n} items"),
}


def headline(outcome: str, lang: str) -> str:
    zh, en, _, _ = HEADLINES.get(outcome, HEADLINES["unknown"])
    return en if lang == "en" else zh


def explanation(outcome: str, lang: str) -> str:
    _, _, zh, en = HEADLINES.get(outcome, HEADLINES["unknown"])
    return en if lang == "en" else zh


def step_text(step: str | None, lang: str) -> str | None:
    if step is None or step not in STEPS:
        return None
    zh, en = STEPS[step]
    return en if lang == "en" else zh


def reason_text(code: str | None, lang: str) -> str | None:
    if not code:
        return None
    zh, en = _reasons().get(code, (code, code))
    return en if lang == "en" else zh


@functools.cache
def _reasons() -> dict[str, tuple[str, str]]:
    from certsvc.certificates.revocation import REASONS as STATUS_REASONS

    table = dict(REISSUE_REASONS)
    for action in ("reinstate", "suspend", "revoke"):  # revoke last: its wording wins for shared slugs
        table.update(
            {code: (zh, en[:1].upper() + en[1:]) for code, (zh, en) in STATUS_REASONS[action].items()}
        )
    return table


def label(key: str, lang: str) -> str:
    zh, en = LABELS[key]
    return en if lang == "en" else zh


# The help page (/help): how to verify, what each verdict means, how offline verification works.
VERDICT_ORDER = ("valid", "superseded", "suspended", "revoked", "invalid", "unknown")
LABELS.update(
    {
        "help": ("帮助", "Help"),
        "help_title": ("如何查验职称电子证书", "How to verify a title certificate"),
        "help_lead": (
            "职称电子证书由发证机构以数字签名签发。任何人都可以免费查验证书是否真实、是否仍然有效，无需注册。",
            "Title certificates are issued with the issuing body's digital signature. Anyone can check, "
            "free and without an account, that a certificate is genuine and still in force.",
        ),
        "help_how": ("三种查验方式", "Three ways to verify"),
        "help_how_scan": (
            "用手机相机或微信“扫一扫”扫描证书上的二维码，打开本站的查验页面。",
            "Scan the certificate's QR code with a phone camera or WeChat; it opens this site's "
            "verification page.",
        ),
        "help_how_number": (
            "在首页输入证书编号和持证人全名。编号和姓名都相符才会显示证书。",
            "On the start page, type the certificate number and the holder's full name; a certificate "
            "is shown only when both match.",
        ),
        "help_how_upload": (
            "上传证书的 PDF 或 PNG 文件，或手机拍摄的证书照片（包括微信转发的图片）。",
            "Upload the certificate's PDF or PNG file, or a phone photo of it (WeChat-forwarded "
            "pictures work too).",
        ),
        "help_how_confirm": (
            "页面只显示脱敏的姓名。要确认面前的人就是持证人，请在查验页输入其全名或身份证号核对。",
            "Pages show the holder's name masked. To confirm the person in front of you is the holder, "
            "type their full name or ID number on the verification page.",
        ),
        "help_verdicts": ("查验结果的含义", "What each verdict means"),
        "help_do_valid": ("可以采信。", "You can rely on it."),
        "help_do_superseded": (
            "证书补发过，请让持证人提供最新版本。",
            "The certificate was reissued; ask the holder for the newest version.",
        ),
        "help_do_suspended": (
            "暂停期间证书不能使用，请联系发证机构了解情况。",
            "It cannot be relied on while suspended; ask the issuing body.",
        ),
        "help_do_revoked": ("证书已失效，不能采信。", "It is no longer valid; do not rely on it."),
        "help_do_invalid": (
            "签名不符或内容无法识别。如果是拍照或输入的问题，请重新拍摄或核对后再试；否则不要采信。",
            "The signature does not match or the content cannot be read. If the photo or the typing "
            "may be at fault, try again; otherwise do not rely on it.",
        ),
        "help_do_unknown": (
            "签名真实，但暂时无法确认状态，请稍后再查。",
            "The signature is genuine but the status cannot be confirmed now; check again later.",
        ),
        "help_offline": ("离线查验", "Offline verification"),
        "help_offline_how": (
            "证书的二维码和 PDF/PNG 文件里都带有发证机构的数字签名（Ed25519）。签名用的公钥公开在 "
            "/.well-known/jwks.json，证书状态（撤销、暂停）以签名的状态列表公开。保存公钥和状态列表后，"
            "没有网络也能用开源的 certsvc 命令行工具核验：certsvc verify 文件或二维码内容 --offline "
            "--jwks jwks.json --status 状态列表。",
            "The QR code and the PDF/PNG files carry the issuing body's digital signature (Ed25519). "
            "The public keys are published at /.well-known/jwks.json and revocations and suspensions "
            "in signed status lists. With those saved, the open-source certsvc command line verifies "
            "without a network: certsvc verify FILE-or-QR-text --offline --jwks jwks.json --status LIST.",
        ),
        "help_offline_ledger": (
            "每次签发、补发、撤销都记入公开的默克尔账本（/api/v1/ledger/checkpoint），任何人都可以核对记录没有被删改。",
            "Every issue, reissue and revocation is recorded in a public Merkle ledger "
            "(/api/v1/ledger/checkpoint), so anyone can check that no record was altered or removed.",
        ),
        "help_privacy": ("隐私", "Privacy"),
        "help_privacy_text": (
            "查验不需要登录，本站不记录查验人的身份，只统计每天的查验次数。",
            "Verifying needs no account; this site does not record who verifies, only daily counts.",
        ),
        "help_holders": ("持证人", "Holders"),
        "help_holders_text": (
            "持证人凭发证机构提供的激活码或邮件链接激活账号后，可以下载证书、为某个用途生成分享链接并查看谁打开过。",
            "Holders activate their account with the code or e-mail link from their issuing body, then "
            "download certificates, make a share link for one purpose and see who opened it.",
        ),
        "help_contact": ("联系我们", "Contact"),
        "operator": ("运营单位", "Operated by"),
        "phone": ("电话", "Telephone"),
        "email": ("邮箱", "E-mail"),
        "holder_signin": ("持证人登录", "Holder sign-in"),
        "staff_signin": ("发证机构登录", "Staff sign-in"),
    }
)

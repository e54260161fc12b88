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
    "pdf-signature": (
        "PDF 文件的电子签章无效：文件在签章后被修改，或签章不是本系统发证机构所盖",
        "The PDF's seal signature is invalid: the file was changed after signing, or not sealed by its issuer",
    ),
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

"""All user-facing wording: Chinese source text, its English translation, and labels for slugs.

One mechanism, shaped like gettext so it can move to Flask-Babel catalogues unchanged: text is
written in Chinese (the default audience) and looked up in ``EN``; where one Chinese word needs a
different English word in one place (a verdict headline is capitalised), ``EN_IN_CONTEXT`` has it
under that context (``pgettext``). Slugs (statuses, reasons, verdict steps …) are shown through
``LABELS``: kind -> slug -> Chinese, translated in the kind's context. Pages, the API and the
command line all read from here, so they say exactly the same thing. A test fails when a template
or view uses text that has no English here.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("zh", "en")

# kind -> slug -> Chinese; English comes from ``EN_IN_CONTEXT[kind]`` or ``EN``.
LABELS: dict[str, dict[str, str]] = {
    "status": {"valid": "有效", "superseded": "已被取代", "suspended": "暂停", "revoked": "已撤销"},
    "request": {"pending": "待审核", "approved": "已批准", "rejected": "已驳回"},
    "reissue": {"lost": "遗失", "damaged": "损毁", "correction": "信息更正"},
    "field": {"name": "姓名", "employer": "工作单位"},
    "role": {
        "operator": "经办员",
        "reviewer": "审核员",
        "auditor": "审计员",
        "server-operator": "系统运维（命令行）",
        "holder": "持证人",
        "system": "系统",
    },
    "action": {"suspend": "暂停", "reinstate": "恢复", "revoke": "撤销"},
    "series": {"issued": "发证", "reissued": "补发", "revoked": "撤销", "verified": "查验"},
    # reason categories of status changes, and "reissued" for superseded versions
    "reason": {
        "investigation": "立案调查中",
        "complaint": "收到举报待核实",
        "cleared": "调查结束，未发现问题",
        "mistaken": "暂停有误",
        "overturned": "撤销决定经复查或复议撤回",
        "fraud": "弄虚作假、骗取职称",
        "misconduct": "学术不端或违法违纪",
        "procedure": "评审程序违规",
        "error": "发证错误",
        "other": "其他",
        "reissued": "补发",
        "lost": "遗失补发",
        "damaged": "损毁补发",
        "correction": "更正补发",
    },
    # verdicts: headline and explanation per outcome, and why (the step that decided it)
    "outcome": {
        "valid": "有效",
        "superseded": "已被新版本取代",
        "suspended": "暂停",
        "revoked": "已撤销",
        "invalid": "无效",
        "unknown": "无法确认",
    },
    "explanation": {
        "valid": "证书真实有效，为当前版本",
        "superseded": "此版本已被补发的新版本取代，请以新版本为准",
        "suspended": "证书已被发证机构暂停使用",
        "revoked": "证书已被发证机构撤销",
        "invalid": "证书伪造、被篡改或无法识别",
        "unknown": "签名真实，但暂时无法确认证书状态",
    },
    "step": {
        "parse": "无法识别的二维码或证书内容",
        "key-unknown": "签名密钥不属于本系统",
        "signature": "签名与内容不符，内容被篡改或伪造",
        "claims": "证书内容格式不正确",
        "key-window": "签名时间不在签名密钥的有效期内",
        "key-compromised": "签名密钥已泄露，此后的签名无效",
        "not-registered": "发证机构没有此证书的记录",
        "registry-mismatch": "与发证机构的记录不一致",
        "not-found": "没有与该证书编号和姓名相符的证书",
        "registry-unavailable": "暂时无法查询证书登记库",
        "status": "证书状态见上",
        "pdf-signature": "PDF 文件的电子签章无效：文件在签章后被修改，或签章不是本系统发证机构所盖",
    },
    "level": {level: level for level in ("正高级", "副高级", "中级", "助理级", "员级")},
    # acquisition routes (取得方式, DESIGN §2)
    "route": {route: route for route in ("评审", "认定", "重新确认", "考试")},
}

# Chinese -> English where one kind of label needs other English than the text has elsewhere.
EN_IN_CONTEXT: dict[str, dict[str, str]] = {
    "outcome": {"有效": "Valid", "暂停": "Suspended", "已撤销": "Revoked"},
    "series": {"查验": "verified"},
    "level": {
        "正高级": "Senior (full)",
        "副高级": "Senior (associate)",
        "中级": "Intermediate",
        "助理级": "Assistant",
        "员级": "Junior",
    },
    "route": {"评审": "review", "认定": "recognition", "重新确认": "reconfirmation", "考试": "national exam"},
}

EN: dict[str, str] = {
    # status reasons (suspension, reinstatement, revocation)
    "弄虚作假、骗取职称": "obtained by fraud or falsified documents",
    "学术不端或违法违纪": "academic misconduct or breach of law or discipline",
    "评审程序违规": "review procedure violated",
    "发证错误": "issued in error",
    "其他": "other",
    "立案调查中": "under investigation",
    "收到举报待核实": "complaint being checked",
    "调查结束，未发现问题": "investigation closed without findings",
    "暂停有误": "suspended in error",
    # labels
    "有效": "valid",
    "已被取代": "superseded",
    "暂停": "suspended",
    "已撤销": "revoked",
    "待审核": "pending",
    "已批准": "approved",
    "已驳回": "rejected",
    "遗失": "lost",
    "损毁": "damaged",
    "信息更正": "correction",
    "姓名": "Name",
    "工作单位": "Employer",
    "经办员": "operator",
    "审核员": "reviewer",
    "审计员": "auditor",
    "恢复": "reinstate",
    "撤销": "revoke",
    "发证": "issued",
    "补发": "Reissue",
    "查验": "Verify",
    # navigation and layout
    "职称电子证书": "Title Certificates",
    "我的证书": "My certificates",
    "补发申请": "Reissue requests",
    "消息": "Messages",
    "账号安全": "Account security",
    "工作台": "Dashboard",
    "导入": "Import",
    "证书查询": "Find certificates",
    "账本": "Ledger",
    "退出": "Sign out",
    "二维码": "QR code",
    # sign-in, activation, reset
    "登录": "Sign in",
    "身份证号（持证人）或用户名（工作人员）": "ID number (holders) or username (staff)",
    "密码": "Password",
    "首次使用？激活账号": "First time? Activate your account",
    "忘记密码": "Forgot password",
    "两步验证": "Two-step verification",
    "验证器应用中的 6 位验证码": "The 6-digit code from your authenticator app",
    "验证": "Verify",
    "激活账号": "Activate account",
    "请填写身份证号、姓名和您持有的一张证书的编号，并设置密码。以后用身份证号和密码登录。": (
        "Enter your ID number, your name and the number of a certificate you hold, and choose a "
        "password. You will sign in with your ID number and this password."
    ),
    "身份证号": "ID number",
    "证书编号": "Certificate number",
    "设置密码（至少 10 个字符）": "Choose a password (at least 10 characters)",
    "再次输入密码": "Repeat the password",
    "邮箱（可选，用于接收通知和重置密码）": "Email (optional, for notifications and password resets)",
    "激活": "Activate",
    "也可以请发证机构提供一次性激活链接。": "You can also ask your issuing body for a one-time activation link.",
    "设置密码": "Set your password",
    "持证人：%(name)s": "Holder: %(name)s",
    "保存": "Save",
    "返回登录": "Back to sign-in",
    "发送重置链接": "Send a reset link",
    "如果信息与一个登记了邮箱的账号相符，重置链接已发送到该邮箱。": (
        "If the details match an account with an email address, a reset link has been sent to it."
    ),
    "没有登记邮箱，或遗失了验证器？请携带身份证件到发证机构领取一次性激活链接。": (
        "No email on file, or lost your authenticator? Bring your ID card to your issuing body for "
        "a one-time activation link."
    ),
    # holder portal
    "账号已激活，欢迎使用。": "Your account is active. Welcome.",
    "您有新的消息。": "You have new messages.",
    "级别": "Level",
    "系列 / 专业": "Series / specialty",
    "发证机构": "Issuing body",
    "当前版本": "Current version",
    "第 %(n)s 版": "version %(n)s",
    "暂无证书。": "No certificates yet.",
    "确认文号": "Confirmation document",
    "原因": "Reason",
    "下载": "Download",
    "电子凭证 (JWS)": "Signed credential (JWS)",
    "分享给用人单位": "Share with an employer",
    "用人单位扫描二维码或打开下面的链接即可查验证书真伪和状态（只显示脱敏信息）。": (
        "Employers scan the QR code or open this link to check the certificate and its status "
        "(only masked personal data is shown)."
    ),
    "查验链接": "Verification link",
    "打开查验页": "Open the verification page",
    "已有一份补发申请待审核。": "A reissue request is waiting for a decision.",
    "证书遗失、损毁，或姓名、工作单位需要更正时，可申请补发。补发后旧版本作废。": (
        "If the certificate was lost or damaged, or your name or employer must be corrected, you "
        "can request a reissue. The old version stops being valid once reissued."
    ),
    "申请补发": "Request a reissue",
    "版本": "Version",
    "状态": "Status",
    "签发时间": "Signed",
    "补发原因": "Reissue reason",
    "补发申请已提交，请等待发证机构审核。": "Your request was sent; the issuing body will review it.",
    "信息更正（仅在原因为“信息更正”时填写）": "Correction (only when the reason is “correction”)",
    "更正项目": "Field to correct",
    "更正后的内容": "Corrected value",
    "证明材料（PDF、PNG 或 JPEG，不超过 5 MB；信息更正必须上传）": (
        "Supporting document (PDF, PNG or JPEG, at most 5 MB; required for a correction)"
    ),
    "补充说明（可选）": "Note (optional)",
    "提交申请": "Send request",
    "提交时间": "Submitted",
    "证书": "Certificate",
    "暂无补发申请。": "No reissue requests.",
    "更正": "Correction",
    "证明材料": "Supporting document",
    "补充说明": "Note",
    "处理时间": "Decided",
    "结果": "Outcome",
    "已补发第 %(version)s 版。": "Reissued as version %(version)s.",
    "驳回理由": "Reason for rejection",
    "发证机构审核后会通知您。": "You will be notified when the issuing body has decided.",
    "新": "new",
    "暂无消息。": "No messages.",
    "已保存。": "Saved.",
    # security
    "修改密码": "Change password",
    "当前密码": "Current password",
    "新密码（至少 10 个字符）": "New password (at least 10 characters)",
    "再次输入新密码": "Repeat the new password",
    "修改密码后，其他设备上的登录会失效。": "Changing the password signs you out everywhere else.",
    "已开启。登录时需要输入验证器应用中的验证码。": "On. Signing in asks for the code from your authenticator app.",
    "输入密码以关闭": "Enter your password to turn it off",
    "关闭两步验证": "Turn off two-step verification",
    "用验证器应用（如 Microsoft Authenticator、Google 身份验证器）扫描二维码，或手动输入密钥，然后填写应用显示的验证码。": (
        "Scan the QR code with an authenticator app (e.g. Microsoft Authenticator, Google "
        "Authenticator) or type in the key, then enter the code the app shows."
    ),
    "密钥": "Key",
    "验证码": "Code",
    "开启两步验证": "Turn on two-step verification",
    # issuer console
    "待审核补发申请": "Reissue requests waiting",
    "有效证书": "Valid certificates",
    "近 14 天": "Last 14 days",
    "每日发证、补发、撤销和查验次数": "Issuances, reissues, revocations and verifications per day",
    "日期": "Date",
    "查验次数为全平台合计（查验者不透露所查证书的发证机构）。": (
        "Verifications are counted for the whole service (verifiers do not say whose certificate "
        "they checked)."
    ),
    "导入评审结果": "Import review results",
    "检查结果（尚未发证）": "Check result (nothing issued yet)",
    "确认发证（%(n)s 张）": "Confirm and issue (%(n)s)",
    "取消": "Cancel",
    "文件中没有需要新发的证书。": "The file holds no certificate that still needs issuing.",
    "请修正文件后重新上传。": "Correct the file and upload it again.",
    "上传文件": "Upload a file",
    "支持 CSV（UTF-8 或 GBK）、XLSX 和 JSON。上传后先检查全部规则，确认后才发证；一份文件要么全部导入，要么全部不导入。": (
        "CSV (UTF-8 or GBK), XLSX and JSON. Every rule is checked first and nothing is issued "
        "until you confirm; a file is imported entirely or not at all."
    ),
    "评审结果文件": "Results file",
    "检查": "Check",
    "请选择文件。": "Choose a file.",
    "文件过大。": "The file is too large.",
    "文件": "File",
    "行数": "Rows",
    "可发证": "Ready to issue",
    "已发证": "Issued",
    "此前已发证": "Issued before",
    "不合格": "Refused",
    "不合格的行（整份文件未导入）": "Refused rows (nothing from this file was imported)",
    "行": "Row",
    "字段": "Field",
    "规则": "Rule",
    "说明": "Explanation",
    "仅显示前 %(n)s 条。": "Only the first %(n)s are shown.",
    "导入结果": "Import result",
    "已完成：发证 %(n)s 张。": "Done: %(n)s certificates issued.",
    "文件未导入。": "The file was not imported.",
    "新发证书": "New certificates",
    "继续导入": "Import another file",
    "全部": "all",
    "已等待（工作日）": "Waiting (working days)",
    "超过 %(n)s 个工作日": "over %(n)s working days",
    "没有申请。": "No requests.",
    "已等待 %(n)s 个工作日，超过时限。": "Waiting for %(n)s working days: overdue.",
    "持证人": "Holder",
    "申请时版本": "Version when requested",
    "当前第 %(n)s 版": "now version %(n)s",
    "%(n)s 个工作日前": "%(n)s working days ago",
    "批准": "Approve",
    "生成新版本，旧版本作废，并通知持证人。": (
        "Makes a new version, supersedes the old one and notifies the holder."
    ),
    "批准并补发": "Approve and reissue",
    "驳回": "Reject",
    "驳回理由（持证人可见）": "Reason (shown to the holder)",
    "已批准，已生成第 %(version)s 版。": "Approved: version %(version)s was issued.",
    "已驳回，持证人将看到驳回理由。": "Rejected; the holder will see the reason.",
    "证书编号或持证人身份证号": "Certificate number or the holder's ID number",
    "查询": "Search",
    "资格名称": "Title",
    "本机构没有符合条件的证书。": "No certificate of this authority matches.",
    "评委会": "Review committee",
    "状态说明": "Status details",
    "变更状态": "Change status",
    "操作": "Action",
    "原因类别": "Reason category",
    "决定文号": "Decision document number",
    "生效日期": "Effective date",
    "确认": "Confirm",
    "窗口补发": "Reissue at the counter",
    "激活链接": "Activation link",
    "核验持证人身份后生成一次性链接（7 天有效），用于首次激活、忘记密码或遗失验证器。": (
        "After checking the holder's identity, make a one-time link (valid 7 days) for first "
        "activation, a forgotten password or a lost authenticator."
    ),
    "生成激活链接": "Make an activation link",
    "证书 %(number)s 持证人的一次性激活链接，7 天内有效，仅显示这一次：": (
        "One-time activation link for the holder of certificate %(number)s, valid 7 days, shown "
        "only this once:"
    ),
    "返回证书": "Back to the certificate",
    "状态已更新并记入账本。": "Status changed and recorded in the ledger.",
    "日期格式应为 YYYY-MM-DD。": "Dates are written YYYY-MM-DD.",
    "最新检查点": "Latest checkpoint",
    "条目数": "Entries",
    "时间": "Time",
    "账本为空。": "The ledger is empty.",
    "审计": "Audit",
    "审计通过：重新计算的结果与所有检查点一致。": "Audit passed: the recomputed tree matches every checkpoint.",
    "审计失败！": "Audit FAILED!",
    "检查点": "Checkpoints",
    "从全部条目重新计算默克尔树，并核对每个已签名检查点。": (
        "Recomputes the Merkle tree from every entry and checks every signed checkpoint."
    ),
    "立即审计": "Audit now",
    # registry and integrity record (certsvc.registry.views, certificates.views.integrity)
    "登记信息": "Registry",
    "诚信档案": "Integrity record",
    "机构代码": "Authority code",
    "统一社会信用代码": "Unified Social Credit Code",
    "机构类别": "Kind of body",
    "所在省级政策": "Provincial policy",
    "监制": "Supervised by",
    "确认权限": "Grants",
    "可确认的级别、系列、取得方式和有效期（来自登记册）。": (
        "The levels, series and routes this body may confirm, and when (from the registry)."
    ),
    "系列": "Series",
    "取得方式": "Route",
    "有效期": "Valid",
    "全部系列": "every series",
    "评审委员会": "Review committees",
    "本机构为": "This body is",
    "系列/专业": "Series / specialty",
    "人数": "Members",
    "核准备案有效期": "Registered",
    "确认单位": "Confirmed by",
    "组建单位": "forming unit",
    "核准备案单位": "registering body",
    "经批准调整": "adjusted by approval",
    "不在有效期内": "not in force",
    "经授权由组建单位自主确认": "the forming unit confirms, as authorised",
    "本机构没有组建或核准备案的评委会。": "This body forms or registers no committee.",
    "委托评审": "Commissioned review",
    "委托函": "Commission letter",
    "委托单位": "Commissioning unit",
    "受托评委会": "Commissioned committee",
    "没有委托函。": "No commission letters.",
    "本机构不在登记册中。": "This body is not in the registry.",
    "按系列组建": "organised by series",
    "按专业组建": "organised by specialty",
    "自主评审": "self-review",
    "省级人力资源社会保障部门": "provincial HR department",
    "市级人力资源社会保障部门": "city HR department",
    "区县人力资源社会保障部门": "district or county HR department",
    "行业主管部门": "industry department",
    "自主评审单位": "self-review unit",
    "因弄虚作假被撤销职称的人员记入诚信档案 3 年，影响期内其评审结果不予确认。本页不公开。": (
        "People whose title was revoked for fraud are recorded for 3 years; while a record runs, "
        "their review results are refused. This page is not public."
    ),
    "影响期": "Runs",
    "影响期内": "running",
    "已结束": "ended",
    "提前结束": "End early",
    "结束": "End",
    "没有诚信档案记录。": "No integrity records.",
    "诚信档案记录已结束并记入账本。": "The integrity record was ended and the change recorded in the ledger.",
    "提醒（已受理）": "Warnings (accepted)",
    # public verification pages
    "职称电子证书查验": "Title certificate verification",
    "扫描证书上的二维码即可查验。也可以输入证书编号和持证人姓名，或上传证书文件、二维码照片。": "Scan the QR code on the certificate to verify it, or type its number and the holder's name, or upload the certificate file or a photo of its QR code.",
    "按证书编号查验": "Verify by certificate number",
    "持证人姓名（全名）": "Holder's full name",
    "上传证书或拍摄二维码": "Upload the certificate or photograph its QR code",
    "PNG、PDF 证书文件，或手机拍摄的二维码照片": "A PNG/PDF certificate, or a phone photo of the QR",
    "选择文件或拍照": "Choose a file or take a photo",
    "批量查验（用人单位）": "Bulk verification (employers)",
    "每行一项：二维码内容（网址），或“证书编号,姓名”。也可上传 CSV 文件（列：qr，或 certificate_number,name / 证书编号,姓名）。": "One item per line: the QR text (URL), or 'certificate number,name'. Or upload a CSV file (columns: qr, or certificate_number,name).",
    "查验内容": "Items to verify",
    "CSV 文件": "CSV file",
    "查验结果": "Results",
    "专业": "Specialty",
    "取得资格日期": "Obtained on",
    "结果模板": "Results templates",
    "每种取得方式一个 Excel 模板：中文列名，第 2 行为示例。一个文件可按“取得方式”列混合多种方式。": (
        "One Excel template per route: Chinese column headers, an example in row 2. One file may mix "
        "routes through its 取得方式 (route) column."
    ),
    # acquisition facts (certsvc.domain.routes.ACQUISITION_LABELS_ZH)
    "评审通过日期": "Review passed on",
    "学历": "Education",
    "原证书编号": "Original certificate number",
    "原发证机构": "Original issuer",
    "原取得时间": "Originally obtained on",
    "原取得方式": "Original route",
    "考试名称": "Exam",
    "考试日期": "Exam date",
    "考试组织机构": "Exam authority",
    "资格证书编号": "Qualification certificate number",
    "本版本签发时间": "This version signed",
    "文件编号": "Document number",
    "最新版本": "Newest version",
    "最新版本签发时间": "Newest version signed",
    "技术细节（账本证明）": "Technical details (ledger evidence)",
    "账本条目序号": "Ledger entry index",
    "叶哈希": "Leaf hash",
    "检查点树大小": "Checkpoint tree size",
    "树根哈希": "Tree root hash",
    "包含证明": "Inclusion proof",
    "签名检查点": "Signed checkpoint",
    "签名密钥": "Signing key",
    "判定依据": "Decided at step",
    "查验时间": "Checked at",
    "暂无账本证明": "No ledger evidence available",
    "核对持证人": "Confirm the holder",
    "输入面前这位持证人的全名或身份证号码，系统只回答“相符”或“不相符”，不会显示登记的信息。": "Type the full name or ID number of the person in front of you. The answer is only 'match' or 'no match'; the stored data is never shown.",
    "全名或身份证号码": "Full name or ID number",
    "核对": "Check",
    "相符：与登记的持证人一致": "Match: this is the registered holder",
    "不相符：与登记的持证人不一致": "No match: not the registered holder",
    "为保护个人信息，姓名部分隐去，不显示身份证号码。": "Names are masked and ID numbers never shown.",
    "查验其他证书": "Verify another certificate",
    "最多 %(n)s 项": "At most %(n)s items",
    # verdicts: explanations and the step that decided them
    "证书真实有效，为当前版本": "Genuine and current",
    "已被新版本取代": "Superseded",
    "此版本已被补发的新版本取代，请以新版本为准": "A newer version of this certificate exists",
    "证书已被发证机构暂停使用": "The issuing authority has suspended it",
    "证书已被发证机构撤销": "The issuing authority has revoked it",
    "无效": "Invalid",
    "证书伪造、被篡改或无法识别": "Forged, altered or unreadable",
    "无法确认": "Unknown",
    "签名真实，但暂时无法确认证书状态": "Authentic signature, but its status cannot be established",
    "无法识别的二维码或证书内容": "Not a certificate QR code or credential",
    "签名密钥不属于本系统": "Signed by a key this service never used",
    "签名与内容不符，内容被篡改或伪造": "The signature does not match: altered or forged",
    "证书内容格式不正确": "The credential's contents are malformed",
    "签名时间不在签名密钥的有效期内": "Signed outside its key's validity period",
    "签名密钥已泄露，此后的签名无效": "Signed after its key was reported compromised",
    "发证机构没有此证书的记录": "The issuing authority has no record of it",
    "与发证机构的记录不一致": "It differs from the issuing authority's record",
    "没有与该证书编号和姓名相符的证书": "No certificate matches this number and name",
    "暂时无法查询证书登记库": "The certificate registry cannot be reached right now",
    "证书状态见上": "See the status above",
    "PDF 文件的电子签章无效：文件在签章后被修改，或签章不是本系统发证机构所盖": (
        "The PDF's seal signature is invalid: the file was changed after signing, or not sealed by its issuer"
    ),
    "遗失补发": "Reissued after loss",
    "损毁补发": "Reissued after damage",
    "更正补发": "Reissued to correct an error",
    "受委托评审": "reviewing on commission",
    "确认及发证机构": "Confirmed and issued by",
    "撤销决定经复查或复议撤回": "revocation reversed on review or appeal",
}


# Share links (亮证), download options, activation codes and e-mailed links.
# New kinds only: nothing above is redefined.
LABELS |= {
    "share": {"active": "生效中", "ended": "已结束", "expired": "已过期"},
    "browser": {
        "WeChat": "微信",
        "DingTalk": "钉钉",
        "QQ": "QQ",
        "Edge": "Edge",
        "Opera": "Opera",
        "Firefox": "Firefox",
        "Chrome": "Chrome",
        "Safari": "Safari",
        "program": "程序（如链接预览）",
        "other": "其他浏览器",
        "unknown": "未知",
    },
    "device": {"phone": "手机", "tablet": "平板", "computer": "电脑", "other": "其他", "unknown": "未知"},
}
_HOLDERS_EN = {
    "生效中": "active",
    "已结束": "ended",
    "已过期": "expired",
    "微信": "WeChat",
    "钉钉": "DingTalk",
    "QQ": "QQ",
    "Edge": "Edge",
    "Opera": "Opera",
    "Firefox": "Firefox",
    "Chrome": "Chrome",
    "Safari": "Safari",
    "程序（如链接预览）": "a program (e.g. a link preview)",
    "其他浏览器": "another browser",
    "未知": "unknown",
    "手机": "phone",
    "平板": "tablet",
    "电脑": "computer",
    "其他": "other",
    "不勾选时只显示脱敏姓名。证书名称、级别、编号和查验结果总会显示。": (
        "Unticked, only the masked name is shown. Title, level, number and the verdict are always shown."
    ),
    "为一个用途生成链接：对方打开后看到您选择的信息、用途和证书的实时查验结果。您能看到每一次打开，并可随时结束。": (
        "Make a link for one purpose: whoever opens it sees what you choose, the purpose and the "
        "certificate's live verdict. You see every opening and can end the link at any time."
    ),
    "为某个用途生成单独的链接，可选择对方看到的信息，查看每次打开记录，并可随时结束。": (
        "Make a separate link for each purpose, choose what the other side sees, see every opening "
        "and end it at any time."
    ),
    "以后用身份证号和密码登录，查看、下载和分享您的证书。": (
        "From then on, sign in with your ID number and password to see, download and share your certificates."
    ),
    "供查验软件离线核验的签名数据文件": "The signed data file verification software checks offline",
    "分享链接": "Share link",
    "分享链接已失效": "Share link no longer valid",
    "分享链接已生成": "Share link created",
    "分享链接已结束，打开它只会看到“已结束”。": "The share link has ended; opening it now only says so.",
    "分享（亮证）": "Share",
    "创建时间": "Created",
    "前往查验首页": "Go to the verification page",
    "发送激活链接": "Send activation link",
    "只记录时间、浏览器类型和设备类别，不记录对方的 IP 地址。同一访问者标识表示同一台设备上的同一浏览器。": (
        "Only the time, browser family and device class are recorded, never the visitor's IP address. "
        "The same visitor label means the same browser on the same device."
    ),
    "填写激活码、身份证号和姓名，设置密码。": "Type the activation code, your ID number and name, and set a password.",
    "如仍需查验，请向持证人索取新的链接，或在查验首页输入证书编号和姓名。": (
        "To verify anyway, ask the holder for a new link, or type the certificate number and name on "
        "the verification page."
    ),
    "完整姓名": "Full name",
    "对方可以看到": "The other side sees",
    "已有的分享链接": "Your share links",
    "打印": "Print",
    "打印完整身份证号（默认只显示前 3 位和后 4 位）": (
        "Print the full ID number (by default only its first 3 and last 4 characters)"
    ),
    "打开 %(url)s": "Open %(url)s",
    "打开次数": "Opened",
    "持证人分享此证书，仅用于：": "The holder shares this certificate only for: ",
    "持证人分享的证书": "Certificate shared by its holder",
    "持证人已于 %(at)s 结束了这个链接。": "The holder ended this link on %(at)s.",
    "持证人登记的邮箱": "The holder's e-mail address on file",
    "持证人能看到此链接的每一次打开（时间和浏览器类型），并可随时结束它。": (
        "The holder sees every opening of this link (time and browser type) and can end it at any time."
    ),
    "新建分享链接": "New share link",
    "有效天数（1–%(max)s）": "Valid for (1–%(max)s days)",
    "有效期至": "Valid until",
    "查看访问记录": "See who opened it",
    "查验时间：": "Checked at: ",
    "核验持证人身份后打印一次性激活码（30 天有效），交给持证人本人或经用人单位转交。新激活码会使旧的失效。": (
        "After checking the holder's identity, print a one-time activation code (valid 30 days) for "
        "the holder in person or through their employer. A new code cancels earlier ones."
    ),
    "此分享链接已结束": "This share link has ended",
    "此分享链接已过期": "This share link has expired",
    "水印：仅用于 …（可选，例如：入职 XX 公司）": "Watermark: only for … (optional, e.g. joining XX Ltd.)",
    "没有激活码？请携带身份证件联系发证机构：他们可以打印激活码通知书，或把一次性激活链接发到您的邮箱。证书上印有的信息不能单独用于激活。": (
        "No activation code? Contact your issuing body with your ID card: they can print an activation "
        "notice or e-mail you a one-time link. What is printed on the certificate cannot activate an "
        "account on its own."
    ),
    "浏览器 · 设备": "Browser · device",
    "激活码": "Activation code",
    "激活码只能使用一次，请勿转给他人。本页面只显示这一次，关闭前请打印。": (
        "The code works once; do not pass it on. This page is shown only once: print it before closing."
    ),
    "激活码通知书": "Activation notice",
    "激活码（16 位，例如 ABCD-EFGH-JKMN-PQRS）": "Activation code (16 characters, e.g. ABCD-EFGH-JKMN-PQRS)",
    "激活链接已发送到该邮箱。": "The activation link was sent to that address.",
    "生成并打印激活码": "Make and print an activation code",
    "生成链接": "Create link",
    "用途": "Purpose",
    "用途（例如：入职 XX 公司）": "Purpose (e.g. joining XX Ltd.)",
    "用途：": "Purpose: ",
    "立即结束此链接": "End this link now",
    "管理分享链接": "Manage share links",
    "结束时间": "Ended",
    "职称电子证书持证人账号激活通知书": "Title certificate holder account activation notice",
    "脱敏姓名": "Masked name",
    "访问者标识": "Visitor",
    "访问记录": "Openings",
    "详情": "Details",
    "请填写发证机构《账号激活通知书》上的激活码、您的身份证号和姓名，并设置密码。以后用身份证号和密码登录。": (
        "Type the activation code from your issuing body's activation notice, your ID number and name, "
        "and set a password. From then on, sign in with your ID number and password."
    ),
    "账号激活通知书": "Activation notice",
    "身份证号后 4 位": "Last 4 characters of the ID number",
    "还没有人打开过这个链接。": "Nobody has opened this link yet.",
    "还没有分享链接。": "No share links yet.",
    "这个链接已于 %(at)s 到期。": "This link expired on %(at)s.",
    "邮件发送激活链接": "E-mail an activation link",
    "链接只显示这一次，请现在复制或截图二维码发给对方。": (
        "The link is shown only this once: copy it or screenshot the QR code now and send it."
    ),
    "链接有效期至": "Link valid until",
    "（已脱敏）": "(masked)",
}

# The console's lists, exports and import preview (issue 20). New kinds only: nothing above is
# redefined, and English already in the catalogue stands.
LABELS |= {
    # the intake rules (certsvc.domain.rules.RULES and WARNINGS) by name, and the fix each asks for
    "rule": {
        "attendance": "出席人数",
        "vote": "表决票数",
        "publicity": "公示期",
        "order": "日期先后",
        "jurisdiction": "发证权限",
        "committee": "评委会登记",
        "identity": "身份信息",
        "duplicate": "重复",
        "form": "填写格式",
        "integrity": "诚信档案",
        "deadline": "确认时限",
    },
    "rule_fix": {
        "attendance": "核对出席人数和评委会人数：出席人数应达到评委会登记人数的三分之二。",
        "vote": "核对同意票数：应达到出席人数的三分之二，且不超过出席人数。",
        "publicity": "核对公示开始和结束日期：公示期不少于 5 个工作日。",
        "order": "核对日期先后：评审日期不晚于公示开始，公示结束早于确认日期，且都不晚于今天。",
        "jurisdiction": "只导入本机构有权确认的结果：核对发证机构代码、级别和职称系列。",
        "committee": "核对评委会代码、名称、人数、职称系列、专业和级别，应与“登记信息”页一致。",
        "identity": "核对身份证号和姓名；与已有证书的姓名不同时，须先由原发证机构更正。",
        "duplicate": "删除重复的行；已持有同一职称的人不能再次发证。",
        "form": "按模板填写该单元格：日期写作 2024-11-20，人数只写数字，开头不要有 = + - @ 等符号。",
        "integrity": "此人在诚信档案记录期内，不能取得职称；如有异议，请联系作出决定的机构。",
        "deadline": "已受理，无需修改；今后请在公示结束后 15 个工作日内确认。",
    },
    # the columns of a results file (certsvc.domain.record.FIELD_LABELS_ZH)
    "column": {
        "confirmation_doc_no": "确认文号",
        "confirmation_date": "确认日期",
        "authority_code": "发证机构代码",
        "committee_code": "评委会代码",
        "committee_name": "评委会名称",
        "committee_size": "评委会人数",
        "meeting_date": "评审日期",
        "publicity_start": "公示开始日期",
        "publicity_end": "公示结束日期",
        "series": "职称系列",
        "specialty": "专业",
        "name": "姓名",
        "id_number": "身份证号",
        "employer": "工作单位",
        "title": "资格名称",
        "level": "级别",
        "attendees": "出席人数",
        "votes_for": "同意票数",
    },
    # what an import would do to a row (certsvc.certificates.preview.VERDICTS)
    "verdict": {"issue": "将发证", "ready": "本行合格", "already": "此前已发证", "refused": "不合格"},
    # who imported a batch (certsvc.certificates.listing.Actor)
    "actor": {"user": "工作人员", "api-token": "接口令牌", "cli": "命令行", "other": "其他"},
}
_CONSOLE_EN = {
    "出席人数": "Attendance",
    "表决票数": "Votes",
    "公示期": "Publicity period",
    "日期先后": "Order of dates",
    "发证权限": "Jurisdiction",
    "评委会登记": "Committee registration",
    "身份信息": "Identity",
    "重复": "Duplicate",
    "填写格式": "Form",
    "诚信档案": "Integrity record",
    "确认时限": "Confirmation deadline",
    "核对出席人数和评委会人数：出席人数应达到评委会登记人数的三分之二。": (
        "Check the attendance and the committee size: at least two thirds of the registered members "
        "must attend."
    ),
    "核对同意票数：应达到出席人数的三分之二，且不超过出席人数。": (
        "Check the votes for: at least two thirds of those present, and no more than those present."
    ),
    "核对公示开始和结束日期：公示期不少于 5 个工作日。": (
        "Check the publicity start and end dates: the publicity lasts at least 5 working days."
    ),
    "核对日期先后：评审日期不晚于公示开始，公示结束早于确认日期，且都不晚于今天。": (
        "Check the order of the dates: the meeting no later than the publicity start, the publicity "
        "end before the confirmation, and none after today."
    ),
    "只导入本机构有权确认的结果：核对发证机构代码、级别和职称系列。": (
        "Import only results your authority may confirm: check the authority code, level and series."
    ),
    "核对评委会代码、名称、人数、职称系列、专业和级别，应与“登记信息”页一致。": (
        "Check the committee's code, name, size, series, specialty and level against the Registry page."
    ),
    "核对身份证号和姓名；与已有证书的姓名不同时，须先由原发证机构更正。": (
        "Check the ID number and name; a name that differs from an existing certificate must first be "
        "corrected by the authority that issued it."
    ),
    "删除重复的行；已持有同一职称的人不能再次发证。": (
        "Remove the repeated row; a person who already holds the same title cannot be issued it again."
    ),
    "按模板填写该单元格：日期写作 2024-11-20，人数只写数字，开头不要有 = + - @ 等符号。": (
        "Fill in the cell as the template shows: dates as 2024-11-20, counts as digits only, and no "
        "leading = + - @ or similar."
    ),
    "此人在诚信档案记录期内，不能取得职称；如有异议，请联系作出决定的机构。": (
        "This person is within an integrity-record period and cannot obtain a title; to dispute it, "
        "contact the authority that decided it."
    ),
    "已受理，无需修改；今后请在公示结束后 15 个工作日内确认。": (
        "Accepted, nothing to change; in future confirm within 15 working days of the publicity end."
    ),
    "确认日期": "Confirmation date",
    "发证机构代码": "Authority code",
    "评委会代码": "Committee code",
    "评委会名称": "Committee name",
    "评委会人数": "Committee size",
    "评审日期": "Meeting date",
    "公示开始日期": "Publicity start",
    "公示结束日期": "Publicity end",
    "职称系列": "Series",
    "专业": "Specialty",
    "资格名称": "Title",
    "同意票数": "Votes for",
    "将发证": "will be issued",
    "本行合格": "row passes",
    "此前已发证": "issued before",
    "不合格": "refused",
    "工作人员": "staff",
    "接口令牌": "API token",
    "命令行": "command line",
    "%(n)s 行不合格（共 %(m)s 个问题）。整份文件未导入：请按下表修正后重新上传。": (
        "%(n)s rows refused (%(m)s problems in all). Nothing was imported: correct the file as the "
        "table says and upload it again."
    ),
    "上一页": "Previous",
    "下一页": "Next",
    "下载不合格行报告（Excel）": "Download the refused rows (Excel)",
    "不合格的行": "Rows refused",
    "合格的行": "Rows that pass",
    "修改：": "Fix: ",
    "全部不合格的行见报告。": "Every refused row is in the report.",
    "共 %(n)s 个批次，显示第 %(a)s–%(b)s 个。": "%(n)s batches; showing %(a)s–%(b)s.",
    "共 %(n)s 张证书，显示第 %(a)s–%(b)s 张。": "%(n)s certificates; showing %(a)s–%(b)s.",
    "分页": "Pages",
    "发证日期": "Issued on",
    "发证日期从": "Issued from",
    "发证日期至": "Issued until",
    "导入人": "Imported by",
    "导入批次": "Import batches",
    "导入日期从": "Imported from",
    "导入日期至": "Imported until",
    "导入时间": "Imported at",
    "导出 Excel": "Export to Excel",
    "批次": "Batch",
    "按持证人查找": "Find by holder",
    "提醒": "Note",
    "文件名": "File name",
    "文件行数": "Rows in file",
    "本机构发证数": "Issued here",
    "查找": "Find",
    "查看导入批次": "See import batches",
    "查看本批证书": "See this batch's certificates",
    "查看证书": "Certificates",
    "此处只显示前 %(n)s 行。": "Only the first %(n)s rows are shown here.",
    "此文件是发证机构 %(codes)s 确认的结果。您的账号属于发证机构 %(mine)s，只能导入本机构确认的结果，请选择本机构的文件。": (
        "This file holds results confirmed by authority %(codes)s. Your account belongs to authority "
        "%(mine)s, which imports only its own results: choose your authority's file."
    ),
    "没有符合条件的导入批次。": "No import batches match.",
    "清除": "Clear",
    "第 %(n)s / %(m)s 页": "Page %(n)s of %(m)s",
    "筛选": "Filter",
    "结论": "Verdict",
    "脱敏（如 张*明）": "Masked (e.g. 张*明)",
    "证书编号或身份证号": "Certificate number or ID number",
    "证书编号或身份证号都可以输入；姓名可只输入一部分。这些内容不会出现在网址中。": (
        "Type a certificate number or an ID number; part of a name is enough. None of this appears "
        "in the address bar."
    ),
    "问题和修改方法": "Problems and how to fix them",
    "预览中的姓名": "Names in the preview",
}
for _chinese, _english in _CONSOLE_EN.items():
    EN.setdefault(_chinese, _english)

# The help page (/help): how to verify, what each verdict means, how offline verification works.
LABELS["help_do"] = {
    "valid": "可以采信。",
    "superseded": "证书补发过，请让持证人提供最新版本。",
    "suspended": "暂停期间证书不能使用，请联系发证机构了解情况。",
    "revoked": "证书已失效，不能采信。",
    "invalid": "签名不符或内容无法识别。如果是拍照或输入的问题，请重新拍摄或核对后再试；否则不要采信。",
    "unknown": "签名真实，但暂时无法确认状态，请稍后再查。",
}
_HOLDERS_EN |= {
    "帮助": "Help",
    "如何查验职称电子证书": "How to verify a title certificate",
    "职称电子证书由发证机构以数字签名签发。任何人都可以免费查验证书是否真实、是否仍然有效，无需注册。": "Title certificates are issued with the issuing body's digital signature. Anyone can check, free and without an account, that a certificate is genuine and still in force.",
    "三种查验方式": "Three ways to verify",
    "用手机相机或微信“扫一扫”扫描证书上的二维码，打开本站的查验页面。": "Scan the certificate's QR code with a phone camera or WeChat; it opens this site's verification page.",
    "在首页输入证书编号和持证人全名。编号和姓名都相符才会显示证书。": "On the start page, type the certificate number and the holder's full name; a certificate is shown only when both match.",
    "上传证书的 PDF 或 PNG 文件，或手机拍摄的证书照片（包括微信转发的图片）。": "Upload the certificate's PDF or PNG file, or a phone photo of it (WeChat-forwarded pictures work too).",
    "页面只显示脱敏的姓名。要确认面前的人就是持证人，请在查验页输入其全名或身份证号核对。": "Pages show the holder's name masked. To confirm the person in front of you is the holder, type their full name or ID number on the verification page.",
    "查验结果的含义": "What each verdict means",
    "离线查验": "Offline verification",
    "证书的二维码和 PDF/PNG 文件里都带有发证机构的数字签名（Ed25519）。签名用的公钥公开在 /.well-known/jwks.json，证书状态（撤销、暂停）以签名的状态列表公开。保存公钥和状态列表后，没有网络也能用开源的 certsvc 命令行工具核验：certsvc verify 文件或二维码内容 --offline --jwks jwks.json --status 状态列表。": "The QR code and the PDF/PNG files carry the issuing body's digital signature (Ed25519). The public keys are published at /.well-known/jwks.json and revocations and suspensions in signed status lists. With those saved, the open-source certsvc command line verifies without a network: certsvc verify FILE-or-QR-text --offline --jwks jwks.json --status LIST.",
    "每次签发、补发、撤销都记入公开的默克尔账本（/api/v1/ledger/checkpoint），任何人都可以核对记录没有被删改。": "Every issue, reissue and revocation is recorded in a public Merkle ledger (/api/v1/ledger/checkpoint), so anyone can check that no record was altered or removed.",
    "隐私": "Privacy",
    "查验不需要登录，本站不记录查验人的身份，只统计每天的查验次数。": "Verifying needs no account; this site does not record who verifies, only daily counts.",
    "持证人": "Holders",
    "持证人凭发证机构提供的激活码或邮件链接激活账号后，可以下载证书、为某个用途生成分享链接并查看谁打开过。": "Holders activate their account with the code or e-mail link from their issuing body, then download certificates, make a share link for one purpose and see who opened it.",
    "联系我们": "Contact",
    "运营单位": "Operated by",
    "电话": "Telephone",
    "邮箱": "E-mail",
    "持证人登录": "Holder sign-in",
    "发证机构登录": "Staff sign-in",
    "可以采信。": "You can rely on it.",
    "证书补发过，请让持证人提供最新版本。": "The certificate was reissued; ask the holder for the newest version.",
    "暂停期间证书不能使用，请联系发证机构了解情况。": "It cannot be relied on while suspended; ask the issuing body.",
    "证书已失效，不能采信。": "It is no longer valid; do not rely on it.",
    "签名不符或内容无法识别。如果是拍照或输入的问题，请重新拍摄或核对后再试；否则不要采信。": "The signature does not match or the content cannot be read. If the photo or the typing may be at fault, try again; otherwise do not rely on it.",
    "签名真实，但暂时无法确认状态，请稍后再查。": "The signature is genuine but the status cannot be confirmed now; check again later.",
}
# Added without overriding: where the catalogue above already has a word, its English stands.
for _chinese, _english in _HOLDERS_EN.items():
    EN.setdefault(_chinese, _english)

# Employers at scale and verification reports (issue 21).
LABELS["role"]["employer"] = "用人单位"
_EMPLOYERS_EN = {
    "用人单位": "employer",
    "API 密钥": "API keys",
    "下载 Excel 和生成报告都会按当前内容重新查验一次。": "Downloading Excel and making a report check the current list again.",
    "下载签章 PDF": "Download the signed PDF",
    "使用中": "in use",
    "例如：人事系统": "e.g. HR system",
    "保存为核验报告": "Save as a verification report",
    "共 %(n)s 项": "%(n)s items",
    "前缀": "Prefix",
    "单张证书查验": "One certificate",
    "吊销": "Revoke",
    "名称": "Name",
    "密钥只显示这一次，请立即妥善保存。本系统只保存它的摘要，无法找回；丢失后请吊销并新建。": "The key is shown only this once: store it safely now. The service keeps only a digest and cannot show it again; if it is lost, revoke it and make a new one.",
    "密钥已吊销，使用它的请求将被拒绝。": "The key is revoked; requests using it are refused.",
    "已吊销": "revoked",
    "或上传 CSV / Excel 文件": "or upload a CSV / Excel file",
    "打印本页": "Print this page",
    "批量查验": "Bulk verification",
    "批量查验，共 %(n)s 项": "Bulk check of %(n)s items",
    "把这次查验的结果保存为带电子签章的核验报告（PDF），有自己的报告编号，可打印、归档，扫描报告上的二维码可查看记录的结果。报告不记录查验人的信息。": "Save this result as a verification report: a PDF with the installation's electronic seal and its own report number, to print or file; its QR code shows the recorded result. The report records nothing about you.",
    "报告地址": "Report address",
    "报告编号": "Report number",
    "新密钥的名称（用途）": "Name of the new key (what it is for)",
    "新建 API 密钥": "Make an API key",
    "新的 API 密钥": "New API key",
    "无法查验": "Not checked",
    "最近使用": "Last used",
    "本单位": "Our organisation",
    "本单位每次最多 %(n)s 行，计入本单位的查验限额：%(quota)s。": "Up to %(n)s lines per check, counted against your organisation's quota: %(quota)s.",
    "本页显示报告生成时记录的查验结果，不是现在的状态；要了解证书现在的状态，请重新查验。为保护个人信息，姓名部分隐去，不显示身份证号码；报告不记录查验人的信息。": "This page shows the result recorded when the report was made, not the status now; to know a certificate's status now, verify it again. Names are partly hidden and ID numbers never shown; the report records nothing about who verified.",
    "查验并下载 Excel": "Check and download Excel",
    "查验并生成核验报告": "Check and make a verification report",
    "查验限额": "Quota",
    "核验内容": "Scope",
    "核验报告": "Verification report",
    "核验时间": "Checked at",
    "每次最多 %(n)s 行。每个网络地址：批量查验 %(submissions)s；其中“证书编号,姓名”行 %(lines)s（二维码行不计）。": 'Up to %(n)s lines per check. Per network address: %(submissions)s; of them, "number, name" lines %(lines)s (QR lines do not count).',
    "每次最多 %(n)s 行，可粘贴或上传 CSV / Excel 文件，结果可下载为 Excel，也可生成核验报告。": "Up to %(n)s lines per check, pasted or uploaded as CSV / Excel; results download as Excel or become a verification report.",
    "每行一项：二维码内容（网址），或“证书编号,姓名”。也可上传 CSV 或 Excel 文件（列：二维码，或 证书编号、姓名；英文列名 qr / certificate_number, name 也可）。": 'One item per line: a QR code\'s text (its URL), or "certificate number, name". Or upload a CSV or Excel file (columns 二维码, or 证书编号 and 姓名; English headers qr / certificate_number, name work too).',
    "状态原因": "Reason",
    "状态生效日期": "Status effective",
    "用人单位登录": "Employer sign-in",
    "用人单位账号每次可查验 1,000 行，并可使用 API 密钥。": "Employers' accounts check 1,000 lines at a time and may use API keys.",
    "结果汇总": "Summary",
    "职称电子证书核验报告": "Verification report",
    "调用 POST /api/v1/verify/bulk 时以 Authorization: Bearer 发送密钥。每个密钥按本单位的限额单独计数。": "Send a key as Authorization: Bearer when calling POST /api/v1/verify/bulk. Each key counts against your organisation's quota on its own.",
    "还没有 API 密钥。": "No API keys yet.",
}
for _chinese, _english in _EMPLOYERS_EN.items():
    EN.setdefault(_chinese, _english)


def translate(text: str, lang: str, *, context: str | None = None, **values: Any) -> str:
    """``text`` (Chinese) in ``lang``; ``%(name)s`` placeholders are filled from ``values``."""
    if lang == "en":
        text = EN_IN_CONTEXT.get(context or "", {}).get(text) or EN.get(text, text)
    return text % values if values else text


def label(kind: str, slug: str | None, lang: str) -> str:
    """The display label of a slug (a status, a reason, a verdict step …) in ``lang``."""
    if slug is None:
        return ""
    return translate(LABELS.get(kind, {}).get(slug, slug), lang, context=kind)


def bilingual(kind: str, slug: str) -> tuple[str, str]:
    """(Chinese, English) of a label, for answers that carry both (API, command line)."""
    return label(kind, slug, "zh"), label(kind, slug, "en")


# The two-person rule, the action log, signing keys in the console and the annual figures (issue 20).
LABELS["audit_action"] = {
    "import": "导入发证",
    "reissue": "窗口补发",
    "reissue-request": "补发申请",
    "reissue-approve": "批准补发申请",
    "reissue-reject": "驳回补发申请",
    "suspend": "暂停",
    "reinstate": "恢复",
    "revoke": "撤销",
    "propose": "提出审批",
    "approve": "批准",
    "reject": "驳回",
    "withdraw": "撤回申请",
    "key-rotate": "轮换签名密钥",
    "key-compromise": "标记密钥泄露",
    "registry-update": "更新登记信息",
    "integrity-open": "记入诚信档案",
    "integrity-end": "结束诚信档案记录",
    "activation-link": "生成激活链接",
    "activation-code": "生成激活码",
    "activation-email": "邮件发送激活链接",
    "staff-create": "创建工作人员账号",
    "token-create": "创建 API 令牌",
}
LABELS["audit_target"] = {
    "certificate": "证书",
    "batch": "批次",
    "proposal": "审批",
    "key": "签名密钥",
    "registry": "登记信息",
    "record": "诚信档案记录",
    "request": "补发申请",
    "account": "账号",
}
LABELS["proposal"] = {"pending": "待审批", "approved": "已批准", "rejected": "已驳回", "withdrawn": "已撤回"}
LABELS["proposal_action"] = {
    "suspend": "暂停证书",
    "reinstate": "恢复证书",
    "revoke": "撤销证书",
    "key-rotate": "轮换签名密钥",
    "key-compromise": "标记密钥泄露",
    "import": "大批量导入",
}
LABELS["key_status"] = {"active": "使用中", "retired": "已停用", "compromised": "已泄露"}
LABELS["annual"] = {"issued": "发证", "reissued": "补发", "revoked": "撤销", "pending": "待处理补发申请"}
LABELS["breakdown"] = {"level": "按级别", "series": "按系列", "route": "按取得方式", "committee": "按评委会"}
EN_IN_CONTEXT["role"] = {
    "系统运维（命令行）": "server operator (command line)",
    "持证人": "holder",
    "系统": "system",
}
EN_IN_CONTEXT["audit_action"] = {
    "导入发证": "import",
    "窗口补发": "reissue at the counter",
    "补发申请": "reissue request",
    "批准补发申请": "reissue request approved",
    "驳回补发申请": "reissue request rejected",
    "暂停": "suspend",
    "恢复": "reinstate",
    "撤销": "revoke",
    "提出审批": "proposal",
    "批准": "approval",
    "驳回": "rejection",
    "撤回申请": "proposal withdrawn",
    "轮换签名密钥": "signing key rotated",
    "标记密钥泄露": "signing key compromised",
    "更新登记信息": "registry updated",
    "记入诚信档案": "integrity record opened",
    "结束诚信档案记录": "integrity record ended",
    "生成激活链接": "activation link",
    "生成激活码": "activation code",
    "邮件发送激活链接": "activation link e-mailed",
    "创建工作人员账号": "staff account created",
    "创建 API 令牌": "API token created",
}
EN_IN_CONTEXT["audit_target"] = {
    "证书": "certificate",
    "批次": "batch",
    "审批": "proposal",
    "签名密钥": "signing key",
    "登记信息": "registry",
    "诚信档案记录": "integrity record",
    "补发申请": "reissue request",
    "账号": "account",
}
EN_IN_CONTEXT["proposal"] = {
    "待审批": "pending",
    "已批准": "approved",
    "已驳回": "rejected",
    "已撤回": "withdrawn",
}
EN_IN_CONTEXT["proposal_action"] = {
    "暂停证书": "Suspend a certificate",
    "恢复证书": "Reinstate a certificate",
    "撤销证书": "Revoke a certificate",
    "轮换签名密钥": "Rotate the signing key",
    "标记密钥泄露": "Mark a signing key compromised",
    "大批量导入": "Large import",
}
EN_IN_CONTEXT["key_status"] = {"使用中": "active", "已停用": "retired", "已泄露": "compromised"}
EN_IN_CONTEXT["annual"] = {
    "发证": "Issued",
    "补发": "Reissued",
    "撤销": "Revoked",
    "待处理补发申请": "Reissue requests pending",
}
EN_IN_CONTEXT["breakdown"] = {
    "按级别": "By level",
    "按系列": "By series",
    "按取得方式": "By route",
    "按评委会": "By committee",
}
_AUDIT_EN = {
    "%(m)s 月": "Month %(m)s",
    "%(year)s 年度统计": "Figures for %(year)s",
    "“待处理”为当月收到、目前仍待审核的补发申请。撤销按撤销登记的时间计。": (
        "“Pending” counts the reissue requests received that month and still waiting for a decision. "
        "Revocations count in the month they were recorded."
    ),
    "上一页": "Previous page",
    "下一页": "Next page",
    "下一步：核对": "Next: check",
    "停用时间": "Retired",
    "启用时间": "In use from",
    "公开账本记入一条记录，写明操作角色和工号假名（提出人和批准人），不含个人信息。": (
        "The public ledger records it with the acting roles and pseudonymous staff ids (proposer and "
        "approver), without personal data."
    ),
    "共 %(n)s 条": "%(n)s entries",
    "其中在用证书 %(n)s 张需要补发（补发会用新密钥签名）。": (
        "%(n)s of them are certificates in use and need a reissue (a reissue is signed with the new key)."
    ),
    "原因 / 文号": "Reason / document",
    "受影响的在用证书": "Certificates in use affected",
    "因该撤销记入的诚信档案记录（%(n)s 条）将结束。": (
        "The integrity records this revocation opened (%(n)s) end."
    ),
    "在用证书": "Certificates in use",
    "处理人": "Decided by",
    "定期更换或怀疑有风险时使用。已签发的证书不受影响。": (
        "For a scheduled change or when a risk is suspected. Certificates already issued are not affected."
    ),
    "审批": "Approvals",
    "客户端": "Client",
    "密钥可能被他人掌握时使用：自泄露起始时间起用它签发的证书将不再被认可。": (
        "When someone else may hold the key: what it signed from the time of compromise on is no "
        "longer accepted."
    ),
    "对象": "Subject",
    "对象（证书编号、申请编号等）": "Subject (certificate number, proposal number …)",
    "导入规模较大，已提交审批：须由另一名审核员批准后才会发证。": (
        "This is a large import: it was sent for approval, and nothing is issued until another "
        "reviewer approves it."
    ),
    "导出 Excel": "Export to Excel",
    "工号假名": "Staff pseudonym",
    "已发证 %(n)s 张（批次 %(batch)s）。": "%(n)s certificates issued (batch %(batch)s).",
    "已处理": "Decided",
    "已批准，变更已生效并记入账本。": "Approved: the change took effect and is recorded in the ledger.",
    "已提交审批：须由另一名审核员批准后生效。": (
        "Sent for approval: it takes effect when another reviewer approves it."
    ),
    "已驳回，未作任何变更。": "Rejected; nothing was changed.",
    "当前": "current",
    "当前密钥停止签发，但继续公开：用它签发的 %(n)s 张在用证书仍然有效，无需补发。": (
        "The current key stops signing but stays published: the %(n)s certificates in use it signed "
        "remain valid and need no reissue."
    ),
    "当前签名密钥": "the current signing key",
    "待审批": "Pending",
    "待审批的变更": "Changes awaiting approval",
    "我已核对上述变化，批准后立即生效": "I have checked the changes above; they take effect on approval",
    "截止日期": "Until",
    "所有发证机构（%(n)s 个）的电子印章证书随新密钥一并更换。": (
        "The seal certificates of every issuing body (%(n)s) are renewed with the new key."
    ),
    "批准后将发生": "What happens on approval",
    "批准时按全部规则重新检查该文件；全部合格才发证，否则不发任何证书，申请保持待审批。": (
        "On approval the file is checked against every rule again; certificates are issued only if "
        "every row passes, otherwise nothing is issued and the proposal stays pending."
    ),
    "持证人将记入诚信档案（弄虚作假），至 %(until)s 前不得再取得职称。": (
        "The holder is entered in the integrity record (fraud) and may not obtain a title before %(until)s."
    ),
    "按月": "By month",
    "按月发证、补发和撤销数": "Certificates issued, reissued and revoked per month",
    "按月查验次数": "Verifications per month",
    "按月：发证、补发、撤销": "Per month: issued, reissued, revoked",
    "按月：查验次数（全平台）": "Per month: verifications (whole service)",
    "按级别发证": "Issued by level",
    "按级别发证数": "Certificates issued by level",
    "提交后不会立即生效：须由另一名审核员批准。": (
        "Nothing changes when you submit: another reviewer must approve it first."
    ),
    "提交审批": "Send for approval",
    "提出人": "Proposed by",
    "提出时间": "Proposed",
    "撤回申请": "Withdraw",
    "撤回这项申请（不作任何变更）": "Withdraw this proposal (nothing is changed)",
    "撤销后只有在撤销决定经复查或复议撤回时才能恢复。": (
        "Once revoked, the certificate can be reinstated only if the revocation is overturned on review "
        "or appeal."
    ),
    "操作人": "Acted by",
    "操作人（账号或工号假名）": "Acted by (login or staff pseudonym)",
    "操作日志": "Action log",
    "新的签名密钥自批准时起启用，此后签发和补发的证书都用新密钥签名。": (
        "A new signing key is used from the approval on; certificates issued or reissued after that are "
        "signed with it."
    ),
    "新签名密钥": "New signing key",
    "暂停、恢复、撤销证书，轮换或标记泄露签名密钥，以及较大的导入，须由一人提出、另一名审核员批准后才生效。": (
        "Suspending, reinstating and revoking certificates, rotating or marking a signing key "
        "compromised, and large imports are proposed by one person and take effect only when another "
        "reviewer approves them."
    ),
    "暂停、恢复和撤销须由另一名审核员批准后才生效。填写后先核对将发生的变化，再提交审批。": (
        "Suspensions, reinstatements and revocations take effect only when another reviewer approves "
        "them. Fill in the form, check what will happen, then send it for approval."
    ),
    "最近的操作": "Latest actions",
    "月份": "Month",
    "本人": "you",
    "本年度没有记录。": "Nothing recorded this year.",
    "查看完整操作日志": "See the whole action log",
    "查验次数": "Verifications",
    "查验结果（全平台）": "Verification outcomes (whole service)",
    "标记密钥泄露": "Mark a key compromised",
    "核对将发生的变化": "Check what will happen",
    "次数": "Count",
    "每一项变更都记录操作人、时间、客户端（网段和浏览器类型）、操作内容和原因；不记录持证人的个人信息。日志只能追加，不能修改或删除。": (
        "Every change is recorded with who made it, when, from which client (network and browser "
        "type), what and why; no personal data of holders. The log only grows: entries cannot be "
        "changed or deleted."
    ),
    "没有符合条件的记录。": "No entries match.",
    "泄露起始时间": "Compromised since",
    "泄露起始时间之前用该密钥签发的证书不受影响。": (
        "Certificates the key signed before the time of compromise are not affected."
    ),
    "泄露起始时间（北京时间）": "Compromised since (China time)",
    "状态列表中标记为撤销：扫码、输入编号和离线查验都将显示“已撤销”。": (
        "The status list marks it revoked: scanning, typing the number and offline checks all say “revoked”."
    ),
    "状态列表中标记为暂停：查验将显示“暂停”，直到恢复。": (
        "The status list marks it suspended: checks say “suspended” until it is reinstated."
    ),
    "状态列表中清除标记：查验将重新显示“有效”。": "The status list mark is cleared: checks say “valid” again.",
    "申请已撤回，未作任何变更。": "Proposal withdrawn; nothing was changed.",
    "目前无法执行：": "This cannot be done now: ",
    "第 %(n)s 版现为“%(status)s”。": "Version %(n)s is now %(status)s.",
    "第 %(n)s 版的状态由“%(old)s”变为“%(new)s”。": "Version %(n)s goes from %(old)s to %(new)s.",
    "第 %(page)s / %(pages)s 页": "Page %(page)s of %(pages)s",
    "等待另一名审核员批准。": "Waiting for another reviewer's approval.",
    "等待您批准": "Awaiting your approval",
    "筛选": "Filter",
    "签名密钥为全平台共用，影响所有发证机构的证书。公开账本记入一条记录，写明操作角色和工号假名。": (
        "The signing key is shared by the whole service and affects every issuing body's "
        "certificates. The public ledger records it with the acting role and pseudonymous staff id."
    ),
    "签名密钥为全平台共用，由省级人社部门工作人员提出轮换或标记泄露，并经另一名审核员批准。": (
        "The signing key is shared by the whole service: staff of a provincial HR department propose "
        "its rotation or compromise, and another reviewer approves it."
    ),
    "自泄露起始时间起用该密钥签发的 %(n)s 个证书版本将无法通过查验（显示“签名密钥已泄露”）。": (
        "The %(n)s certificate versions the key signed from the time of compromise on no longer pass "
        "verification (“signing key compromised”)."
    ),
    "补发申请处理用时中位数（天，%(n)s 件）": "Median days to decide a reissue request (%(n)s decided)",
    "角色": "Role",
    "证书用平台的签名密钥签名。所有用过的密钥都公开在 /.well-known/jwks.json，轮换后旧密钥仍能验证它签发的证书。": (
        "Certificates are signed with the service's signing key. Every key ever used is published at "
        "/.well-known/jwks.json; after a rotation the old key still verifies what it signed."
    ),
    "该密钥签发的在用证书": "Certificates in use signed by this key",
    "该证书已有待审批的申请，处理完毕前不能再提出：": (
        "A proposal for this certificate is waiting for a decision; no other can be made until then: "
    ),
    "该证书待审核的补发申请 #%(id)s 将不能再批准。": (
        "The pending reissue request #%(id)s of this certificate can then no longer be approved."
    ),
    "说明（可选，审核员可见）": "Note (optional, shown to the reviewer)",
    "起始日期": "From",
    "轮换签名密钥": "Rotate the signing key",
    "返回修改": "Back to edit",
    "这是当前签名密钥：批准时将同时启用新密钥，发证不会中断。": (
        "This is the current signing key: a new key starts on approval, so issuing never stops."
    ),
    "这是您本人提出的申请：须由另一名审核员批准或驳回，您不能批准自己的申请。": (
        "You proposed this: another reviewer must approve or reject it; you cannot approve your own proposal."
    ),
    "驳回理由（提出人可见）": "Reason for rejection (shown to the proposer)",
    "超过 %(n)s 张的导入须经审批：确认后提交给另一名审核员，批准后才发证。": (
        "Imports of more than %(n)s certificates need approval: confirming sends this one to another "
        "reviewer, and nothing is issued until they approve it."
    ),
}
for _chinese, _english in _AUDIT_EN.items():
    EN.setdefault(_chinese, _english)

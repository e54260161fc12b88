"""The signed credential: a W3C VC 2.0 ``ProfessionalTitleCredential`` as a compact ``vc+jwt`` JWS.

The holder's name is in the credential (it is the holder's own document); the ID number never is.
How the title was obtained (``route`` and its facts: the committee and review date, the education,
the original certificate, the exam) is in the subject, and the province's supervising body
(``supervisor``, "…监制") on the issuer; credentials issued before routes have neither and read
back with ``acquisition`` None.
The credential carries two ``BitstringStatusListEntry`` items (revocation, suspension) pointing at
the same slot of the certificate version's status list.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from certsvc.domain.canonical import canonical_json
from certsvc.domain.routes import Acquisition
from certsvc.errors import MalformedToken
from certsvc.signing.contexts import VC_CONTEXT, certsvc_context_url, is_certsvc_context_url
from certsvc.signing.jose import parse_vc_jwt, sign_vc_jwt_payload
from certsvc.signing.keystore import SigningKey
from certsvc.signing.statuslist import PURPOSES, parse_status_list_url, status_list_url
from certsvc.timefmt import rfc3339

CREDENTIAL_TYPES = ["VerifiableCredential", "ProfessionalTitleCredential"]


@dataclasses.dataclass(frozen=True)
class CredentialFacts:
    """What a certificate version asserts; the input to signing, and what verification gives back."""

    certificate_number: str
    version: int
    holder_name: str
    title: str
    level: str
    series: str
    specialty: str
    obtained: dt.date
    issuer_id: str
    issuer_name: str
    status_list_id: int
    status_index: int
    employer: str | None = None
    acquisition: Acquisition | None = None
    supervisor: str | None = None


# ``Acquisition`` attribute -> credential term (each defined in the certsvc v2 context).
ACQUISITION_TERMS: dict[str, str] = {
    "committee": "committee",
    "review_date": "reviewDate",
    "education": "education",
    "original_certificate_number": "originalCertificateNumber",
    "original_issuer": "originalIssuer",
    "original_date": "originalDate",
    "original_route": "originalRoute",
    "exam_name": "examName",
    "exam_date": "examDate",
    "exam_authority": "examAuthority",
    "exam_certificate_number": "examCertificateNumber",
}


def issuer_id_for_uscc(uscc: str) -> str:
    """The issuer id of an authority identified by its Unified Social Credit Code."""
    return f"urn:uscc:{uscc}"


def credential_id(certificate_number: str, version: int) -> str:
    return f"urn:certsvc:certificate:{certificate_number}:v{version}"


def credential_claims(facts: CredentialFacts, base_url: str, now: dt.datetime) -> dict[str, Any]:
    """The JWT claims set: the VC itself plus the registered claims iss/sub/jti/iat.

    ``@context`` is the VC 2.0 base context then certsvc's own, which defines every other term; no
    ``nbf`` (VC-JOSE-COSE: ``validFrom`` says it); the status entries point at the lists the
    credential's own issuer signs.
    """
    subject: dict[str, Any] = {
        "name": facts.holder_name,
        "title": facts.title,
        "level": facts.level,
        "series": facts.series,
        "specialty": facts.specialty,
        "obtained": facts.obtained.isoformat(),
        "certificateNumber": facts.certificate_number,
        "version": facts.version,
    }
    if facts.employer:
        subject["employer"] = facts.employer
    if facts.acquisition is not None:
        for name, value in facts.acquisition.to_json().items():
            subject[ACQUISITION_TERMS.get(name, name)] = value
    issuer = {"id": facts.issuer_id, "name": facts.issuer_name}
    if facts.supervisor:
        issuer["supervisor"] = facts.supervisor
    jti = credential_id(facts.certificate_number, facts.version)
    seconds = int(now.timestamp())
    return {
        "@context": [VC_CONTEXT, certsvc_context_url(base_url)],
        "id": jti,
        "type": list(CREDENTIAL_TYPES),
        "issuer": issuer,
        "validFrom": rfc3339(now),
        "credentialSubject": subject,
        "credentialStatus": [
            _status_entry(
                status_list_url(base_url, facts.status_list_id, purpose, facts.issuer_id),
                purpose,
                facts.status_index,
            )
            for purpose in PURPOSES
        ],
        "iss": facts.issuer_id,
        "sub": f"urn:certsvc:certificate:{facts.certificate_number}",
        "jti": jti,
        "iat": seconds,
    }


def sign_credential(facts: CredentialFacts, key: SigningKey, base_url: str, now: dt.datetime) -> str:
    """Compact JWS (EdDSA, kid, typ vc+jwt) over the canonical JSON of ``credential_claims``."""
    return sign_vc_jwt_payload(canonical_json(credential_claims(facts, base_url, now)), key)


def decode_unverified(jws: str) -> dict[str, Any]:
    """The claims of a credential WITHOUT checking its signature (display, debugging, routing)."""
    return parse_vc_jwt(jws).claims


def facts_from_claims(claims: dict[str, Any]) -> tuple[CredentialFacts, dt.datetime]:
    """Read back the facts and the signing time (``iat``); ``MalformedToken`` (step claims) if malformed."""
    try:
        if not _known_contexts(claims["@context"]) or claims["type"] != CREDENTIAL_TYPES:
            raise ValueError("not a ProfessionalTitleCredential")
        subject = claims["credentialSubject"]
        slots = {_slot(entry) for entry in claims["credentialStatus"]}
        if {purpose for purpose, _, _ in slots} != set(PURPOSES) or len(slots) != len(PURPOSES):
            raise ValueError("credentialStatus needs one revocation and one suspension entry")
        if len({(list_id, index) for _, list_id, index in slots}) != 1:
            raise ValueError("status entries point at different slots")
        _, list_id, index = next(iter(slots))
        facts = CredentialFacts(
            certificate_number=_str(subject["certificateNumber"]),
            version=_int(subject["version"]),
            holder_name=_str(subject["name"]),
            title=_str(subject["title"]),
            level=_str(subject["level"]),
            series=_str(subject["series"]),
            specialty=_str(subject["specialty"]),
            obtained=dt.date.fromisoformat(_str(subject["obtained"])),
            issuer_id=_str(claims["issuer"]["id"]),
            issuer_name=_str(claims["issuer"]["name"]),
            status_list_id=list_id,
            status_index=index,
            employer=None if subject.get("employer") is None else _str(subject["employer"]),
            acquisition=_acquisition(subject),
            supervisor=None
            if claims["issuer"].get("supervisor") is None
            else _str(claims["issuer"]["supervisor"]),
        )
        issued_at = dt.datetime.fromtimestamp(_int(claims["iat"]), dt.UTC)
    except (KeyError, IndexError, TypeError, ValueError, OverflowError, OSError) as exc:
        raise MalformedToken(f"credential claims are malformed: {exc}", step="claims") from None
    return facts, issued_at


def _acquisition(subject: dict[str, Any]) -> Acquisition | None:
    """The acquisition facts of a subject; None for a credential issued before routes."""
    if "route" not in subject:
        return None
    facts = {"route": subject["route"]}
    for name, term in ACQUISITION_TERMS.items():
        if term in subject:
            facts[name] = subject[term]
    return Acquisition.from_json(facts)


def _known_contexts(contexts: Any) -> bool:
    """The base context alone (credentials issued before certsvc published its context) or followed
    by one of certsvc's contexts (v1 before routes, v2 now)."""
    if not isinstance(contexts, list) or not contexts or contexts[0] != VC_CONTEXT:
        return False
    return len(contexts) == 1 or (len(contexts) == 2 and is_certsvc_context_url(contexts[1]))


def _status_entry(url: str, purpose: str, index: int) -> dict[str, Any]:
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def _slot(entry: dict[str, Any]) -> tuple[str, int, int]:
    if entry["type"] != "BitstringStatusListEntry":
        raise ValueError("unknown credentialStatus type")
    list_id, purpose = parse_status_list_url(_str(entry["statusListCredential"]))
    index_text = _str(entry["statusListIndex"])
    if entry["statusPurpose"] != purpose or not index_text.isdecimal() or not index_text.isascii():
        raise ValueError("malformed BitstringStatusListEntry")
    return purpose, list_id, int(index_text)


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("expected an integer")
    return value

"""Keys, signed credentials, QR tokens, status lists and the pure offline verifier.

keystore (KeyStore, FileKeyStore) · jwks (jwks_document, KeySet) · credential (sign_credential) ·
qrpayload (encode_qr, decode_qr, qr_url) · statuslist (StatusBits, status_index, sign/verify lists) ·
verifier (verify -> Verdict). Everything except keystore is pure and takes ``now`` as an argument.
"""

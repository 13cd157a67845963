"""Password hashing and the encryption of protected bodies."""
import os
import threading

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from saver import crypto


def test_a_password_check_waits_while_another_hashes():
    stored, key = crypto.hash_password("pw", 16)
    results = []
    checker = threading.Thread(target=lambda: results.append(crypto.verify_password("pw", stored)))
    with crypto.ONE_SCRYPT_AT_A_TIME:  # as if another thread were hashing
        checker.start()
        checker.join(0.3)
        assert checker.is_alive() and results == []
    checker.join(10)
    assert results == [key]


def test_bodies_are_standard_aes_gcm_so_texts_stored_before_stay_readable():
    # Texts stored while the service used pyca/cryptography's AESGCM (nonce,
    # then ciphertext and tag) open with today's code, and the other way round.
    key, nonce = os.urandom(32), os.urandom(12)
    before = nonce + AESGCM(key).encrypt(nonce, b"stored last year", b"abcd")
    assert crypto.decrypt(key, before, "abcd") == b"stored last year"
    now = crypto.encrypt(key, "ünïcode".encode(), "abcd")
    assert AESGCM(key).decrypt(now[:12], now[12:], b"abcd") == "ünïcode".encode()


def test_a_body_that_was_tampered_with_or_moved_to_another_code_raises():
    key = os.urandom(32)
    blob = crypto.encrypt(key, b"secret", "abcd")
    flipped = [blob[:i] + bytes([blob[i] ^ 1]) + blob[i + 1:] for i in range(len(blob))]
    for bad in flipped + [blob[:n] for n in range(len(blob))]:
        with pytest.raises(ValueError):
            crypto.decrypt(key, bad, "abcd")
    with pytest.raises(ValueError):
        crypto.decrypt(key, blob, "abce")
    with pytest.raises(ValueError):
        crypto.decrypt(os.urandom(32), blob, "abcd")

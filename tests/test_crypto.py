"""Password hashing takes turns within a process (scrypt is CPU- and memory-bound)."""
import threading

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

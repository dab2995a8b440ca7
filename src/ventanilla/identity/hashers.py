"""Password hashing: Argon2id with OWASP's first recommended parameters.

Django's defaults (100 MiB, 2 passes, 8 lanes) cost ~154 ms and both cores per sign-in on a
2-core server, capping it at ~7 sign-ins per second and making the sign-in form a cheap way to
keep the server busy. OWASP's m=19 MiB, t=2, p=1 costs ~30 ms there (~69 sign-ins/s): see
bench/sign_in.py and bench/README.md. Hashes made with other parameters keep working and are
re-hashed with these at their owner's next sign-in (Django's ``must_update``).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class VentanillaArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

"""Optional read replica: opt-in read-only pages read from `replica`, all else from `default`.

`DATABASE_REPLICA_URL` adds the `replica` alias, `ReplicaRouter` and `ReplicaPinMiddleware` (see
settings). Without it nothing here is installed and every query goes to the primary, as before.
A view opts in with `@replica_reads`; see `docs/deployment.md` for the rules.
"""

from bonehealth.replica.state import replica_reads, using_replica

__all__ = ["replica_reads", "using_replica"]

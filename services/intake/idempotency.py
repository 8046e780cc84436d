"""``Idempotency-Key`` on intake's POSTs: a retried POST returns the first answer, adds nothing."""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shared.app.bootstrap import ServiceContext
from shared.eventstore.records import IdempotentAnswer
from shared.http import Invalid


class Idempotency:
    """``Idempotency-Key``: a retried POST returns the first answer and registers nothing new.

    A key is scoped to the token; the request's hash says whether a repeat is the same request.
    """

    def __init__(self, context: ServiceContext) -> None:
        self.store = context.store
        self.clock = context.clock

    def begin(self, token_id: str, key: str | None, body: BaseModel) -> "IdempotentRequest":
        """One POST's view of its key: the earlier answer, the row to record, the race's winner."""
        return IdempotentRequest(self, token_id, key, self.request_hash(body))

    @staticmethod
    def request_hash(body: BaseModel) -> str:
        canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def stored(self, token_id: str, key: str, request_hash: str) -> dict[str, Any] | None:
        earlier = self.store.idempotent_answer(token_id, key)
        if earlier is None:
            return None
        if earlier.request_hash != request_hash:
            raise Invalid({"Idempotency-Key": "already used for a different request"},
                          "Idempotency-Key: reused with a different body")
        return earlier.response

    def row(self, token_id: str, key: str, request_hash: str,
            response: dict[str, Any]) -> IdempotentAnswer:
        """The first answer, recorded with the request's events at the service's time."""
        return IdempotentAnswer(token_id=token_id, key=key, request_hash=request_hash,
                                response=response, created_at=self.clock.now())


@dataclass(frozen=True)
class IdempotentRequest:
    """A POST that may carry an ``Idempotency-Key`` (``key`` None: it does not)."""

    idempotency: Idempotency
    token_id: str
    key: str | None
    request_hash: str

    def earlier_answer(self) -> JSONResponse | None:
        """The first answer to this key, when this is a retry (201 again, nothing added)."""
        if not self.key:
            return None
        answer = self.idempotency.stored(self.token_id, self.key, self.request_hash)
        return None if answer is None else JSONResponse(answer, status_code=201)

    def rows(self, answer: BaseModel) -> list[IdempotentAnswer]:
        """What to commit with the events: the answer a retry will get."""
        if not self.key:
            return []
        return [self.idempotency.row(self.token_id, self.key, self.request_hash,
                                     answer.model_dump(mode="json"))]

    def winner_answer(self) -> JSONResponse:
        """After a DuplicateRecord: the same key raced in twice and the first one won."""
        assert self.key is not None
        return JSONResponse(self.idempotency.stored(self.token_id, self.key, self.request_hash),
                            status_code=201)

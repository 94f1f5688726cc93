"""Which customer a row of a sales or visits file means: by its id, else by its name.

Shared by every file kind that names a customer. The id column (客户编码, Account Name.id…) is tried
first; a row whose id is missing or unknown and that has a name (客户名称, 终端名称, Account Name) is
matched by name through bot.importing.customer_names (normalised names and remembered aliases). A row
neither finds is a bad row whose reason names the closest customers, and those names are kept
(``unknown_names``) so the bot can offer them as buttons that remember an alias.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from bot.importing.customer_names import AMBIGUOUS, CustomerNames
from bot.importing.rows import IdMap
from bot.importing.values import Problems, empty
from bot.models.tables import customer_table

UNKNOWN_NAMES_KEPT = 50
UNKNOWN_ID = "is not a known customer; import the customers file first, or correct the id"


class CustomerRefs:
    """Resolves customer cells to customer row ids for one import (read-only after load: thread-safe)."""

    def __init__(self, connection: Connection, fields: dict[str, int]) -> None:
        self._fields = fields
        self._ids = IdMap.load(connection, customer_table)
        self._external_ids = dict(zip(self._ids.ids.tolist(), self._ids.external_ids, strict=True))
        self._names = CustomerNames.load(connection) if "customer_name" in fields else None
        # Names no customer has, with their closest customers: an admin confirms one once (an alias).
        self.unknown_names: dict[str, list[tuple[str, str]]] = {}

    def external_id(self, customer_id: int) -> str:
        return self._external_ids[customer_id]

    def resolve(self, cells: pd.DataFrame, problems: Problems, live: np.ndarray) -> np.ndarray:
        """Customer row ids (-1 where none is found), with a problem for every live row that finds none."""
        by_id = "customer" in self._fields
        ids = self._ids.lookup(cells["customer"]) if by_id else np.full(len(cells), -1, dtype=np.int64)
        names = cells["customer_name"] if "customer_name" in self._fields else None
        if names is not None and self._names is not None:
            wanted = (ids < 0) & ~empty(names) & live
            if wanted.any():
                ids[wanted] = self._names.match(names[wanted])
        nothing = np.zeros(len(cells), dtype=bool)
        given_id = ~empty(cells["customer"]) if by_id else nothing
        given_name = ~empty(names) if names is not None else nothing
        column = "customer" if by_id else "customer_name"
        problems.add(live & ~given_id & ~given_name, column, cells[column], "is empty; the customer is required")
        unknown = live & (ids < 0)
        if by_id:
            problems.add(unknown & given_id & ~given_name, "customer", cells["customer"], UNKNOWN_ID)
        if names is not None:
            problems.add(unknown & given_name, "customer_name", names, self._name_reasons(names, ids, unknown))
        return ids

    def _name_reasons(self, names: pd.Series, ids: np.ndarray, unknown: np.ndarray) -> np.ndarray:
        reasons = np.full(len(names), "", dtype=object)
        said: dict[tuple[str, bool], str] = {}
        for i in np.flatnonzero(unknown).tolist():
            name, ambiguous = names.iloc[i], bool(ids[i] == AMBIGUOUS)
            if (name, ambiguous) not in said:
                found = self._names.candidates(name) if self._names is not None else []
                if found and len(self.unknown_names) < UNKNOWN_NAMES_KEPT:
                    self.unknown_names[name] = found
                listed = ", ".join(f"{n} ({e})" for e, n in found)
                if ambiguous:
                    said[name, ambiguous] = (
                        f"names several customers: {listed}; map it once with tierbot import aliases"
                    )
                elif listed:
                    said[name, ambiguous] = f"is not a known customer; closest: {listed}"
                else:
                    said[name, ambiguous] = "is not a known customer; import the customers file first"
            reasons[i] = said[name, ambiguous]
        return reasons

from typing import Any

import pytest
from faker import Faker

from tongzhou.supplies.demo import _supplies


class Supplies(dict[str, Any]):
    def __getattr__(self, name: str) -> Any:
        return self[name]


@pytest.fixture
def supplies(demo: Any) -> Supplies:
    """The demo's stores, keepers and catalogue (the demo fixture leaves them out as extras)."""
    data = Supplies(_supplies(fake=Faker("zh_CN"), log=lambda message: None))
    demo.users.update({k: v for k, v in data.items() if k.endswith("_keeper")})
    return data

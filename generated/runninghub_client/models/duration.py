from typing import Literal

Duration = Literal["12", "4", "8"]

DURATION_VALUES: set[Duration] = {
    "12",
    "4",
    "8",
}


def check_duration(value: str) -> Duration:
    if value in DURATION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {DURATION_VALUES!r}")

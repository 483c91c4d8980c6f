from .models import Sequence


def next_number(prefix: str, year: int) -> str:
    """The next number in prefix's yearly series. Call inside the transaction that uses it: the
    counter row stays locked until commit, so two writers never get the same number."""
    seq, _ = Sequence.objects.select_for_update().get_or_create(key=f"{prefix}{year}")
    seq.value += 1
    seq.save(update_fields=["value"])
    return f"{prefix}{year}-{seq.value:04d}"

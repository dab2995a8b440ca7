import pytest


@pytest.fixture(autouse=True)
def _empty_log(request):
    """Each database test starts from an empty log: the session's reference data (catalogue
    history) is recorded too, and these tests count entries from 0."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    transactional = marker.kwargs.get("transaction", False)
    request.getfixturevalue("transactional_db" if transactional else "db")
    from ventanilla.ledger.models import Checkpoint, Leaf, Node, TreeHead

    for model in (Checkpoint, Node, Leaf, TreeHead):
        model.objects.all().delete()

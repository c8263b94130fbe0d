import pytest

from mmprivact.anonymization import StageRegistry


def test_build_from_config_and_instance_passthrough():
    reg = StageRegistry('demo')

    @reg.register()
    class Backend:

        def __init__(self, k=1):
            self.k = k

    built = reg.build(dict(type='Backend', k=3))
    assert isinstance(built, Backend) and built.k == 3
    assert reg.build(built) is built
    assert 'Backend' in reg


def test_unknown_backend_lists_the_choices():
    reg = StageRegistry('demo')
    reg.register('A')(type('A', (), {}))
    with pytest.raises(KeyError, match=r"Unknown demo backend 'B'.*\['A'\]"):
        reg.build(dict(type='B'))
    with pytest.raises(KeyError, match='needs a "type" key'):
        reg.build(dict(k=1))


def test_name_clash_is_refused():
    reg = StageRegistry('demo')
    reg.register('A')(type('A', (), {}))
    with pytest.raises(KeyError, match='already registered'):
        reg.register('A')(type('B', (), {}))

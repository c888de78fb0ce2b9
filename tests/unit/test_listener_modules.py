"""Every listener module registers its own listeners, and the package registers every module."""

import importlib
import pkgutil

import sambot.slack.listeners as listeners


def listener_modules():
    return [
        importlib.import_module(f"{listeners.__name__}.{info.name}")
        for info in pkgutil.iter_modules(listeners.__path__)
        if info.name != "common"  # shared steps, no entry points of its own
    ]


def test_each_listener_module_has_register():
    missing = [m.__name__ for m in listener_modules() if not callable(getattr(m, "register", None))]
    assert missing == []


def test_the_package_registers_every_module(monkeypatch):
    called = []
    for module in listener_modules():
        monkeypatch.setattr(
            module, "register", lambda app, name=module.__name__: called.append(name)
        )
    listeners.register(object())
    assert sorted(called) == sorted(m.__name__ for m in listener_modules())

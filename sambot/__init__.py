"""sambot: strategic account plans that live where the account team talks."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sambot")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

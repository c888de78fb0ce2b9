"""The Web API client a scheduled job posts with in each workspace: its own bot token."""

from slack_sdk import WebClient

from sambot.slack.client import KeptConnections, build_web_client


class SingleClient:
    """One workspace, one token (SLACK_BOT_TOKEN): the same client everywhere."""

    def __init__(self, client: WebClient | None):
        self.client = client

    def for_workspace(self, team_id: str, enterprise_id: str | None) -> WebClient | None:
        return self.client


class WorkspaceClients:
    """Several workspaces (OAuth install): a client with each workspace's installation's bot
    token (its own install, else its org's org-wide one), over one pool of connections.
    None for a workspace with no installation."""

    def __init__(
        self,
        store,
        base_url: str,
        *,
        max_retries: int = 3,
        timeout: float = 10,
        pool=None,
    ):
        self.store = store
        self.base_url = base_url
        self.max_retries = max_retries
        self.timeout = timeout
        # Kept alive for the posts in flight across workspaces (about one per workspace
        # at 1 post/s with 50-100 ms calls: a tenth of those posting at once).
        self.pool = pool or KeptConnections()

    def for_workspace(self, team_id: str, enterprise_id: str | None) -> WebClient | None:
        bot = self.store.bot_for_workspace(team_id=team_id, enterprise_id=enterprise_id)
        if bot is None or not bot.bot_token:
            return None
        return build_web_client(
            bot.bot_token,
            self.base_url,
            max_retries=self.max_retries,
            timeout=self.timeout,
            pool=self.pool,
        )

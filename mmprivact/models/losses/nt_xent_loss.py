"""NT-Xent, the contrastive loss of SimCLR, used to train f_B."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS


@MODELS.register_module()
class NTXentLoss(nn.Module):
    """Normalized temperature-scaled cross entropy (Chen et al. 2020).

    For ``2B`` embeddings where rows ``i`` and ``i + B`` are two views of
    the same frame: each row's positive is its partner, its negatives the
    other ``2B - 2`` rows; the loss is the mean over all ``2B`` rows of
    ``-log softmax(sim / T)[partner]`` with cosine similarity ``sim`` and
    the row itself left out of the softmax.

    Args:
        temperature (float): ``T``. Defaults to 0.1 (the paper's value).
    """

    def __init__(self, temperature: float = 0.1) -> None:
        super().__init__()
        if not temperature > 0:
            raise ValueError(f'temperature must be > 0; got {temperature!r}.')
        self.temperature = float(temperature)

    def _logits(self, z1: torch.Tensor, z2: torch.Tensor):
        """Similarity logits of the 2B rows (self left out) and partners."""
        if z1.shape != z2.shape or z1.dim() != 2 or z1.shape[0] < 2:
            raise ValueError(f'NT-Xent needs two (B, D) batches with B >= 2 '
                             f'of equal shape; got {tuple(z1.shape)} and '
                             f'{tuple(z2.shape)}.')
        b = z1.shape[0]
        z = F.normalize(torch.cat([z1, z2]), dim=1)
        sim = z @ z.t() / self.temperature
        sim = sim.masked_fill(
            torch.eye(2 * b, dtype=torch.bool, device=z.device),
            float('-inf'))
        partner = torch.cat([torch.arange(b, 2 * b), torch.arange(b)])
        return sim, partner.to(z.device)

    def forward(self, z1: torch.Tensor, z2: torch.Tensor) -> torch.Tensor:
        """Loss of two (B, D) batches of views (normalised here).

        Args:
            z1 (torch.Tensor): (B, D) embeddings of the first views.
            z2 (torch.Tensor): (B, D) embeddings of the second views.

        Returns:
            torch.Tensor: Scalar loss.
        """
        sim, partner = self._logits(z1, z2)
        return F.cross_entropy(sim, partner)

    def matching_entropy(self, z1: torch.Tensor,
                         z2: torch.Tensor) -> torch.Tensor:
        """Mean entropy of each row's softmax over the other rows.

        The softmax is the one NT-Xent scores (``softmax(sim / T)`` with the
        row left out): f_B's belief about which row is the partner. The
        entropy is ``log(2B - 1)`` when f_B cannot tell the rows apart and
        near 0 when it is sure. Unlike NT-Xent it is bounded, and it is
        not raised by pushing a row away from its partner (that makes f_B
        sure of a wrong row).

        Args:
            z1 (torch.Tensor): (B, D) embeddings of the first views.
            z2 (torch.Tensor): (B, D) embeddings of the second views.

        Returns:
            torch.Tensor: Scalar entropy in nats.
        """
        sim, _ = self._logits(z1, z2)
        n = sim.shape[0]
        # drop the masked diagonal (p = 0, log p = -inf) before p * log p,
        # whose gradient would be NaN there
        off = ~torch.eye(n, dtype=torch.bool, device=sim.device)
        logp = F.log_softmax(sim, dim=1)[off].view(n, n - 1)
        return -(logp.exp() * logp).sum(1).mean()

    def extra_repr(self) -> str:
        return f'temperature={self.temperature}'

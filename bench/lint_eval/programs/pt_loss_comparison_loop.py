# comparing two losses on the same logits model
import torch
from torch import nn

results = {}
for name, criterion in [("bce_logits", nn.BCEWithLogitsLoss()), ("bce", nn.BCELoss())]:
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 1))
    opt = torch.optim.Adam(model.parameters())
    for xb, yb in loader:
        loss = criterion(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    results[name] = loss.item()

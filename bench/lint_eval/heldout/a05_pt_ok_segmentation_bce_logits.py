import torch
from torch import nn

model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 1, 1))
loss_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([3.0]))
for img, mask in loader:
    pred = model(img)
    loss = loss_fn(pred, mask)
    probs = torch.sigmoid(pred)
    dice = (2 * (probs * mask).sum()) / (probs.sum() + mask.sum())

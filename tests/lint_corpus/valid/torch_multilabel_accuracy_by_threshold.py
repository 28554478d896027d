# Multi-label tagging with per-label and exact-match accuracy computed on probabilities.
import torch
import torch.nn as nn


def label_accuracy(logits, targets):
    preds = (torch.sigmoid(logits) > 0.5).float()
    per_label = (preds == targets).float().mean()
    exact = (preds == targets).all(dim=1).float().mean()
    return per_label.item(), exact.item()


model = nn.Sequential(nn.Linear(512, 128), nn.ReLU(), nn.Linear(128, 12))
criterion = nn.BCEWithLogitsLoss()
for feats, tags in loader:
    logits = model(feats)
    loss = criterion(logits, tags)
    print(label_accuracy(logits, tags))

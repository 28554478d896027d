# Binary classifier trained on logits; the accuracy thresholds the logits at 0.5.
import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(30, 16), nn.ReLU(), nn.Linear(16, 1))

    def forward(self, x):
        return self.net(x)


def binary_acc(y_pred, y_true):
    y_pred_tag = torch.round(y_pred)  # expect: HC304
    correct = (y_pred_tag == y_true).sum().float()
    return correct / y_true.shape[0]


model = Classifier()
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
for X_batch, y_batch in train_loader:
    optimizer.zero_grad()
    y_pred = model(X_batch)
    loss = criterion(y_pred, y_batch.unsqueeze(1))
    acc = binary_acc(y_pred, y_batch.unsqueeze(1))
    loss.backward()
    optimizer.step()

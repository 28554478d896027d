import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(30, 16), nn.ReLU(), nn.Linear(16, 1))

    def forward(self, x):
        return self.net(x)


def binary_acc(y_pred, y_true):
    y_pred_tag = torch.round(torch.sigmoid(y_pred))
    correct = (y_pred_tag == y_true).sum().float()
    return correct / y_true.shape[0]


def logit_acc(y_pred, y_true):
    return ((y_pred > 0).float() == y_true).float().mean()


model = Classifier()
criterion = nn.BCEWithLogitsLoss()
for X_batch, y_batch in train_loader:
    y_pred = model(X_batch)
    loss = criterion(y_pred, y_batch.unsqueeze(1))
    print(binary_acc(y_pred, y_batch.unsqueeze(1)), logit_acc(y_pred, y_batch.unsqueeze(1)))

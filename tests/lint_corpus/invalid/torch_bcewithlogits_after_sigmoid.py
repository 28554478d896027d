import torch
import torch.nn as nn


class MultiLabelNet(nn.Module):
    def __init__(self, n_features, n_labels):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_features, 128), nn.ReLU())
        self.head = nn.Linear(128, n_labels)

    def forward(self, x):
        return torch.sigmoid(self.head(self.body(x)))


net = MultiLabelNet(64, 12)
criterion = nn.BCEWithLogitsLoss()  # expect: HC105
x = torch.randn(8, 64)
targets = torch.randint(0, 2, (8, 12)).float()
logits = net(x)
loss = criterion(logits, targets)

import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, in_dim=64, hidden=128, out_dim=6):
        super().__init__()
        self.fc1 = nn.Linear(in_dim, hidden)
        self.fc2 = nn.Linear(hidden, out_dim)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return x


mlp = MLP()
ce = nn.CrossEntropyLoss()
for feats, activity in loader:
    loss = ce(mlp(feats), activity)
    loss.backward()

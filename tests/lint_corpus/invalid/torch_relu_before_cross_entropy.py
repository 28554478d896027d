import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        return F.relu(self.fc2(x))  # expect: HC108


model = Net()


def training_step(batch):
    x, y = batch
    return F.cross_entropy(model(x), y)

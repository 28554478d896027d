import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(50, 4)

    def forward(self, x):
        return F.log_softmax(self.fc(x), dim=1)


model = Net()


def step(x, y):
    return F.nll_loss(model(x), y)

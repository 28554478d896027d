import torch
import torch.nn as nn
import torch.nn.functional as F


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(20, 4)

    def forward(self, x):
        return F.softmax(self.fc(x), dim=1)


clf = Classifier()
loss_fn = nn.MSELoss()  # expect: HC109
target = F.one_hot(torch.randint(0, 4, (32,)), 4).float()
loss = loss_fn(clf(torch.randn(32, 20)), target)

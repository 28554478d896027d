import torch
import torch.nn as nn


class Detector(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(128, 64), nn.ReLU())
        self.classifier = nn.Linear(64, 1)  # expect: HC110

    def forward(self, x):
        return self.classifier(self.features(x))


model = Detector()
criterion = nn.CrossEntropyLoss()

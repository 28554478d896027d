# the model lives in models.py of the same project; lint cannot see it from here
import torch
from torch import nn
from models import ResNetClassifier
from data import get_loaders

train_loader, val_loader = get_loaders(batch_size=64)
model = ResNetClassifier(num_classes=10)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters())
for x, y in train_loader:
    loss = criterion(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

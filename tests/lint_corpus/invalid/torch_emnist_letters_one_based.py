# EMNIST letters: torchvision labels them 1..26, the head has 26 outputs.
import torch
from torch import nn
from torchvision import datasets, transforms

train = datasets.EMNIST("data", split="letters", train=True, download=True, transform=transforms.ToTensor())  # expect: HC203
loader = torch.utils.data.DataLoader(train, batch_size=128, shuffle=True)

model = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 256), nn.ReLU(), nn.Linear(256, 26))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters())
for images, letters in loader:
    optimizer.zero_grad()
    criterion(model(images), letters).backward()
    optimizer.step()

import torch
from torch import nn
from torchvision import datasets, transforms

train = datasets.SVHN("data", split="train", download=True, transform=transforms.ToTensor())
loader = torch.utils.data.DataLoader(train, batch_size=64)
model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 256), nn.ReLU(), nn.Linear(256, 10))
loss_fn = nn.CrossEntropyLoss()
for x, y in loader:
    loss = loss_fn(model(x), y)
